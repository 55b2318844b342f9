import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { names } from '../../config/names.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import { Database } from '../constructs/database.ts';

export interface DataStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
}

/** `Nodeapp-<env>-Data`: RDS PostgreSQL (only when config database is 'rds'). */
export class DataStack extends Stack {
  readonly database: Database;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.database = new Database(this, 'Database', {
      config: props.config.rds,
      vpc: props.vpc,
      namePrefix: names(props.config.name).prefix,
    });
    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.instance.dbInstanceEndpointAddress });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn });
  }
}
