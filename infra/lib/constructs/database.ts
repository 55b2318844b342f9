import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RdsConfig } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';

export const DATABASE_NAME = 'nodeapp';
export const DATABASE_PORT = 5432;
const MASTER_USERNAME = 'nodeapp';

export interface DatabaseProps {
  readonly config: RdsConfig;
  readonly vpc: ec2.IVpc;
  readonly namePrefix: string;
}

/**
 * RDS for PostgreSQL 18 in the isolated subnets: KMS-encrypted storage (customer-managed key), credentials in
 * Secrets Manager, TLS forced by the parameter group, automatic minor upgrades, and Multi-AZ, protection,
 * Performance Insights, Enhanced Monitoring and rotation per config.
 *
 * Credentials: without `rotationDays`, a secret CDK generates (no rotation); with it, the master password that RDS
 * itself manages and rotates in Secrets Manager (`ManageMasterUserPassword`), on a `rotationDays` schedule. RDS's
 * managed rotation needs no Lambda function, so no role outside this stack's permissions boundary is created (the
 * Serverless Application Repository rotation app's nested role takes none: https://github.com/aws/aws-cdk/issues/19649).
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { config } = props;
    const rotated = config.rotationDays !== undefined;
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
      // Either secret uses the AWS managed Secrets Manager key (the managed secret's default, MasterUserSecret.KmsKeyId
      // unset): a customer key in this stack would need a key policy naming the service stack's execution role, a
      // cross-stack cycle.
      // RDS-managed: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html (CDK's
      // manageMasterUserPassword, https://github.com/aws/aws-cdk/pull/35734); the secret holds `username` and
      // `password`, the keys the service reads.
      credentials: rotated
        ? rds.Credentials.fromUsername(MASTER_USERNAME)
        : rds.Credentials.fromGeneratedSecret(MASTER_USERNAME),
      manageMasterUserPassword: rotated,
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
    if (!this.instance.secret) throw new Error('Database: the credentials must produce a secret');
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
    if (config.rotationDays !== undefined) {
      // RDS rotates its managed secret every 7 days unless the secret's schedule says otherwise; Secrets Manager's
      // RotateSecret takes rotation rules without a Lambda ARN for managed rotation
      // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html,
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html), and
      // AWS::SecretsManager::RotationSchedule requires only SecretId. CDK's RotationSchedule construct insists on a
      // function, hence the L1 resource.
      new secretsmanager.CfnRotationSchedule(this, 'Rotation', {
        secretId: this.secret.secretArn,
        rotationRules: { automaticallyAfterDays: config.rotationDays },
        // Creating or changing the schedule does not rotate at once: the running tasks keep a working password
        // until the scheduled rotation (see the README's database notes for what a rotation does to them).
        rotateImmediatelyOnUpdate: false,
      });
    } else {
      acknowledge(
        this.instance.node.findChild('Secret'),
        'AwsSolutions-SMG4',
        'Rotation is on in prod (config rds.rotationDays, RDS-managed); non-production credentials live only as long as the environment.',
      );
    }
  }
}
