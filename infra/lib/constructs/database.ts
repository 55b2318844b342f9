import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RdsConfig } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';

export const DATABASE_NAME = 'nodeapp';
export const DATABASE_PORT = 5432;

export interface DatabaseProps {
  readonly config: RdsConfig;
  readonly vpc: ec2.IVpc;
  readonly namePrefix: string;
}

/**
 * RDS for PostgreSQL 18 in the isolated subnets: KMS-encrypted storage (customer-managed key), generated
 * credentials in Secrets Manager, TLS forced by the parameter group, automatic minor upgrades, and
 * Multi-AZ, protection, Performance Insights, Enhanced Monitoring and rotation per config.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { config } = props;
    // The final snapshot is encrypted with this key: deleting the key would make the snapshot unrestorable.
    const removal = config.protect || config.finalSnapshot ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: `${props.namePrefix} database storage and Performance Insights`,
      enableKeyRotation: true,
      removalPolicy: removal,
      pendingWindow: Duration.days(7),
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: 5432 from the service tasks only',
      allowAllOutbound: false,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Nodeapp: TLS required',
      parameters: { 'rds.force_ssl': '1' },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(config.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      // The secret uses the AWS managed Secrets Manager key: a customer key in this stack would need a key policy
      // naming the service stack's execution role, a cross-stack cycle.
      credentials: rds.Credentials.fromGeneratedSecret('nodeapp'),
      parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      multiAz: config.multiAz,
      backupRetention: Duration.days(config.backupRetentionDays),
      deletionProtection: config.protect,
      // SNAPSHOT keeps a final snapshot when the stack deletes (or replaces) the instance.
      removalPolicy: config.finalSnapshot ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: config.performanceInsights,
      performanceInsightEncryptionKey: config.performanceInsights ? this.key : undefined,
      monitoringInterval:
        config.enhancedMonitoringSeconds > 0 ? Duration.seconds(config.enhancedMonitoringSeconds) : undefined,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      publiclyAccessible: false,
      copyTagsToSnapshot: true,
    });
    if (!this.instance.secret) throw new Error('Database: generated credentials must produce a secret');
    this.secret = this.instance.secret;

    acknowledge(
      this.instance,
      'AwsSolutions-RDS11',
      'The default port is not a control: the instance is in isolated subnets and its security group admits only the service tasks.',
    );
    acknowledge(
      this.instance,
      'AwsSolutions-RDS6',
      'The service authenticates with a password from Secrets Manager over verified TLS; IAM auth tokens expire every 15 min and need an SDK in the pool.',
    );
    if (!config.multiAz) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS3',
        'Single-AZ is a cost choice for non-production; prod config sets multiAz.',
      );
    }
    if (!config.protect) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS10',
        'Deletion protection is on where config sets rds.protect (prod); elsewhere a destroy is allowed and leaves a final snapshot where rds.finalSnapshot is set.',
      );
    }
    const monitoringRole = this.instance.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      acknowledge(
        monitoringRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        'Enhanced Monitoring: the AWS managed role policy is the documented one and only lets RDS write its own metrics logs.',
      );
    }
    if (config.rotationDays) {
      this.instance.addRotationSingleUser({
        automaticallyAfter: Duration.days(config.rotationDays),
        // The rotation function calls Secrets Manager: it needs the egress subnets, not the database's isolated ones.
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
    } else {
      acknowledge(
        this.instance.node.findChild('Secret'),
        'AwsSolutions-SMG4',
        'Rotation is on in prod (config rds.rotationDays); non-production credentials live only as long as the environment.',
      );
    }
  }
}
