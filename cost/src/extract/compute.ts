// Compute lines: Fargate tasks (per service and capacity), EC2 instances (NAT instance, ECS capacity on EC2),
// their EBS volumes and public IPv4 addresses, Cloud Map registrations.
import { type Context, label, ref } from '../model.ts';
import { type Found, list, num, obj, str } from '../template.ts';
import type { ServiceProfile } from './services.ts';

function fargateLines(ctx: Context, p: ServiceProfile): void {
  const { prices } = ctx;
  const hours = prices.hoursPerMonth;
  const vcpuKey = `fargate.linux.${p.arch}.vcpu-hour`;
  const gbKey = `fargate.linux.${p.arch}.gb-hour`;
  const extraStorage = Math.max(0, p.ephemeralGb - 20) * prices.usd('fargate.ephemeral-storage.gb-hour');
  const onDemand = p.vcpu * prices.usd(vcpuKey) + p.memoryGb * prices.usd(gbKey) + extraStorage;
  const size = `${p.arch === 'arm64' ? 'ARM64' : 'X86_64'}, ${p.vcpu} vCPU / ${p.memoryGb} GB`;
  for (const capacity of ['FARGATE', 'FARGATE_SPOT'] as const) {
    const taskHours = p.tasks[capacity] * hours;
    if (taskHours === 0) continue;
    const spot = capacity === 'FARGATE_SPOT';
    ctx.add(
      {
        group: 'compute',
        resource: `${label(p.service)} tasks on ${capacity} (${size}${p.scheduled ? ', scheduled' : ''})`,
        quantity: taskHours,
        unit: 'task-hour',
        // Spot discount is applied to the whole task price (vCPU, memory and extra storage).
        unitPrice: spot ? onDemand * (1 - prices.spotDiscount) : onDemand,
        priceKey: `${vcpuKey} + ${gbKey}${spot ? ` x (1 - spot discount ${prices.spotDiscount})` : ''}`,
        from: [ref(p.service)],
      },
      [p.service, ...(p.taskDefinition ? [p.taskDefinition] : [])],
    );
  }
  // Canary/blue-green: the new release runs at full size beside the old one for the deploy's length.
  const fargateTasks = p.tasks.FARGATE + p.tasks.FARGATE_SPOT;
  const deploys = ctx.usage.deploysPerMonth;
  if (p.deployOverlapMinutes > 0 && deploys > 0 && fargateTasks > 0) {
    const spotShare = p.tasks.FARGATE_SPOT / fargateTasks;
    ctx.add(
      {
        group: 'compute',
        resource: `${label(p.service)} second release during deploys (${deploys} deploys x ${p.deployOverlapMinutes} min)`,
        quantity: (fargateTasks * deploys * p.deployOverlapMinutes) / 60,
        unit: 'task-hour',
        // The new tasks follow the service's capacity strategy: the same Spot share as the running ones.
        unitPrice: onDemand * (1 - spotShare * prices.spotDiscount),
        priceKey: `${vcpuKey} + ${gbKey}, Spot share ${spotShare.toFixed(2)}`,
        from: [ref(p.service)],
      },
      [],
    );
  }
  if (p.publicIp && p.totalTasks > 0) {
    ctx.add(
      {
        group: 'network',
        resource: `${label(p.service)} task public IPv4 addresses`,
        quantity: p.totalTasks * hours,
        unit: 'address-hour',
        unitPrice: prices.usd('public-ipv4.hour'),
        priceKey: 'public-ipv4.hour',
        from: [ref(p.service)],
      },
      [],
    );
  }
  if (p.tasks.EC2 > 0) ctx.covered([p.service, ...(p.taskDefinition ? [p.taskDefinition] : [])]);
  if (p.totalTasks === 0) ctx.covered([p.service, ...(p.taskDefinition ? [p.taskDefinition] : [])]);
}

function instanceLine(ctx: Context, found: Found, instanceType: string, count: number, what: string): void {
  const key = `ec2.${instanceType}.hour`;
  ctx.add(
    {
      group: 'compute',
      resource: `${label(found)} ${what} (${instanceType})`,
      quantity: count * ctx.prices.hoursPerMonth,
      unit: 'instance-hour',
      unitPrice: ctx.prices.usd(key),
      priceKey: key,
      from: [ref(found)],
    },
    [found],
  );
}

function ebsLine(ctx: Context, found: Found, mappings: unknown, count: number, defaultGb: number): void {
  // A mapping without VolumeSize keeps the AMI's snapshot size, which the template cannot tell: assume defaultGb.
  const sizes = list(mappings).map((m) => num(obj(obj(m).Ebs).VolumeSize));
  const gb = sizes.length > 0 ? sizes.reduce<number>((a, b) => a + (b ?? defaultGb), 0) : defaultGb;
  if (sizes.length === 0 || sizes.includes(undefined)) {
    ctx.note(`${label(found)}: root volume size not in the template, assumed ${defaultGb} GB gp3`);
  }
  ctx.add(
    {
      group: 'compute',
      resource: `${label(found)} EBS volumes`,
      quantity: gb * count,
      unit: 'GB-month',
      unitPrice: ctx.prices.usd('ebs.gp3.gb-month'),
      priceKey: 'ebs.gp3.gb-month',
      from: [ref(found)],
    },
    [],
  );
}

export function computeLines(ctx: Context, profiles: ServiceProfile[]): void {
  const { inv, prices } = ctx;
  for (const p of profiles) fargateLines(ctx, p);

  const eips = inv.ofType('AWS::EC2::EIP');
  for (const instance of inv.ofType('AWS::EC2::Instance')) {
    const isNat = instance.props.SourceDestCheck === false || instance.props.SourceDestCheck === 'false';
    instanceLine(ctx, instance, str(instance.props.InstanceType) ?? 't3.micro', 1, isNat ? 'NAT instance' : 'instance');
    ebsLine(ctx, instance, instance.props.BlockDeviceMappings, 1, 8);
    const hasEip = eips.some((e) => inv.resolve(e.stack, e.props.InstanceId)?.id === instance.id);
    // A NAT instance sits in a public subnet with an auto-assigned public IPv4 unless an EIP is attached.
    if (isNat && !hasEip) {
      ctx.add(
        {
          group: 'network',
          resource: `${label(instance)} public IPv4 address`,
          quantity: prices.hoursPerMonth,
          unit: 'address-hour',
          unitPrice: prices.usd('public-ipv4.hour'),
          priceKey: 'public-ipv4.hour',
          from: [ref(instance)],
        },
        [],
      );
    }
  }

  for (const asg of inv.ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const lt = inv.resolve(asg.stack, obj(asg.props.LaunchTemplate).LaunchTemplateId);
    const data = obj(lt?.props.LaunchTemplateData);
    const count = num(asg.props.DesiredCapacity) ?? num(asg.props.MinSize) ?? 0;
    if (count === 0) {
      ctx.covered([asg]);
      continue;
    }
    instanceLine(ctx, asg, str(data.InstanceType) ?? 't3.micro', count, 'Auto Scaling group instances');
    // The ECS-optimized Amazon Linux 2023 AMI has a 30 GB root volume.
    ebsLine(ctx, asg, data.BlockDeviceMappings, count, 30);
    if (lt) ctx.covered([lt]);
  }

  const registered = profiles.reduce((sum, p) => sum + p.registries * p.totalTasks, 0);
  const cloudMapServices = inv.ofType('AWS::ServiceDiscovery::Service');
  if (registered > 0) {
    ctx.add(
      {
        group: 'network',
        resource: 'Cloud Map registered task instances (average)',
        quantity: registered,
        unit: 'instance-month',
        unitPrice: prices.usd('cloud-map.registered-instance-month'),
        priceKey: 'cloud-map.registered-instance-month',
        from: cloudMapServices.map(ref),
      },
      cloudMapServices,
    );
  } else ctx.covered(cloudMapServices);
}
