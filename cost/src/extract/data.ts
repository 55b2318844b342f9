// Data and security lines: RDS instances and storage, KMS keys, Secrets Manager secrets, S3, ECR, DNS zones.
import { addPriced, type Context, label, ref } from '../model.ts';
import { num, str } from '../template.ts';

export function dataLines(ctx: Context): void {
  const { inv, prices, usage } = ctx;
  const hours = prices.hoursPerMonth;
  const factor = prices.usd('rds.multi-az.factor');
  let rdsManagedSecrets = 0;

  for (const db of inv.ofType('AWS::RDS::DBInstance')) {
    const engine = str(db.props.Engine) ?? 'postgres';
    const cls = str(db.props.DBInstanceClass) ?? '?';
    const multiAz = db.props.MultiAZ === true || db.props.MultiAZ === 'true';
    const copies = multiAz ? factor : 1;
    const key = `rds.${engine}.${cls}.hour`;
    ctx.add(
      {
        group: 'data',
        resource: `${label(db)} RDS ${engine} ${cls} (${multiAz ? 'Multi-AZ' : 'Single-AZ'})`,
        quantity: hours * copies,
        unit: 'instance-hour',
        unitPrice: prices.usd(key),
        priceKey: key,
        from: [ref(db)],
      },
      [db],
    );
    const storageType = str(db.props.StorageType) ?? 'gp2';
    const storageKey = `rds.storage.${storageType}.gb-month`;
    const gb = num(db.props.AllocatedStorage) ?? 20;
    ctx.add(
      {
        group: 'data',
        resource: `${label(db)} RDS storage ${gb} GB ${storageType}${multiAz ? ' x2 (Multi-AZ)' : ''}`,
        quantity: gb * copies,
        unit: 'GB-month',
        unitPrice: prices.usd(storageKey),
        priceKey: storageKey,
        from: [ref(db)],
      },
      [],
    );
    if (db.props.ManageMasterUserPassword === true) rdsManagedSecrets += 1;
    if ((num(db.props.MonitoringInterval) ?? 0) > 0) {
      ctx.note(`${label(db)}: Enhanced Monitoring log ingestion (RDSOSMetrics, tens of MB a month) not priced`);
    }
    if ((num(db.props.PerformanceInsightsRetentionPeriod) ?? 7) > 7) {
      ctx.note(`${label(db)}: Performance Insights retention above 7 days is billed and not estimated here`);
    }
  }
  ctx.covered([...inv.ofType('AWS::RDS::DBSubnetGroup'), ...inv.ofType('AWS::RDS::DBParameterGroup')]);

  const keys = inv.ofType('AWS::KMS::Key');
  if (keys.length > 0) {
    addPriced(ctx, keys, {
      group: 'security',
      resource: `KMS customer managed keys (${keys.length})`,
      quantity: keys.length,
      unit: 'key-month',
      priceKey: 'kms.key-month',
    });
  }

  const secrets = inv.ofType('AWS::SecretsManager::Secret');
  const secretCount = secrets.length + rdsManagedSecrets;
  if (secretCount > 0) {
    addPriced(ctx, secrets, {
      group: 'security',
      resource: `Secrets Manager secrets (${secrets.length}${rdsManagedSecrets ? ` + ${rdsManagedSecrets} RDS-managed` : ''})`,
      quantity: secretCount,
      unit: 'secret-month',
      priceKey: 'secrets-manager.secret-month',
    });
  }

  const buckets = inv.ofType('AWS::S3::Bucket');
  if (buckets.length > 0) {
    addPriced(ctx, buckets, {
      group: 'data',
      resource: `S3 storage (${buckets.length} buckets)`,
      quantity: usage.s3Gb,
      unit: 'GB-month',
      priceKey: 's3.standard.gb-month',
    });
  }

  const repos = inv.ofType('AWS::ECR::Repository');
  if (repos.length > 0) {
    addPriced(ctx, repos, {
      group: 'data',
      resource: `ECR image storage (${repos.length} repositories)`,
      quantity: usage.ecrGb,
      unit: 'GB-month',
      priceKey: 'ecr.storage-gb-month',
    });
  }

  // A Cloud Map DNS namespace is backed by a Route 53 hosted zone, billed like any other zone.
  const zones = [
    ...inv.ofType('AWS::Route53::HostedZone'),
    ...inv.ofType('AWS::ServiceDiscovery::PrivateDnsNamespace'),
    ...inv.ofType('AWS::ServiceDiscovery::PublicDnsNamespace'),
  ];
  if (zones.length > 0) {
    addPriced(ctx, zones, {
      group: 'network',
      resource: `Route 53 hosted zones (${zones.map(label).join(', ')})`,
      quantity: zones.length,
      unit: 'zone-month',
      priceKey: 'route53.hosted-zone-month',
    });
  }
}
