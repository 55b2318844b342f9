// Network and edge lines: load balancers, NAT gateways, Elastic IPs, interface endpoints, CloudFront, WAF.
import { type Context, label, ref } from '../model.ts';
import { type Found, list, str } from '../template.ts';

function lbLines(ctx: Context): void {
  const { inv, prices, usage } = ctx;
  const hours = prices.hoursPerMonth;
  for (const lb of inv.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    if ((str(lb.props.Type) ?? 'application') !== 'application') continue; // NLB/GWLB: left as "not priced"
    ctx.add(
      {
        group: 'network',
        resource: `${label(lb)} Application Load Balancer (${str(lb.props.Scheme) ?? 'internet-facing'})`,
        quantity: hours,
        unit: 'ALB-hour',
        unitPrice: prices.usd('alb.hour'),
        priceKey: 'alb.hour',
        from: [ref(lb)],
      },
      [lb],
    );
    // LCUs from the usage assumptions, conservatively: every request a new connection, every CDN byte through the ALB.
    const seconds = hours * 3600;
    const lcu = Math.max(usage.requests / seconds / 25, usage.cdnEgressGb / hours);
    ctx.add(
      {
        group: 'network',
        resource: `${label(lb)} load balancer capacity units (${usage.requests.toLocaleString('en-US')} requests)`,
        quantity: lcu * hours,
        unit: 'LCU-hour',
        unitPrice: prices.usd('alb.lcu-hour'),
        priceKey: 'alb.lcu-hour',
        from: [ref(lb)],
      },
      [],
    );
    if ((str(lb.props.Scheme) ?? 'internet-facing') === 'internet-facing') {
      const azs = Math.max(list(lb.props.Subnets).length, list(lb.props.SubnetMappings).length, 1);
      ctx.add(
        {
          group: 'network',
          resource: `${label(lb)} public IPv4 addresses (one per AZ)`,
          quantity: azs * hours,
          unit: 'address-hour',
          unitPrice: prices.usd('public-ipv4.hour'),
          priceKey: 'public-ipv4.hour',
          from: [ref(lb)],
        },
        [],
      );
    }
  }
}

/** The service a VPC endpoint reaches, from com.amazonaws.<region>.<service> (often an Fn::Join with the region). */
function endpointService(found: Found): string {
  const leaves: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') leaves.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(found.props.ServiceName);
  const last = leaves.filter((l) => l !== '').at(-1) ?? '?';
  return last.startsWith('.') ? last.slice(1) : last.replace(/^com\.amazonaws\.[^.]+\./, '');
}

function egressLines(ctx: Context): void {
  const { inv, prices, usage } = ctx;
  const hours = prices.hoursPerMonth;
  const nats = inv.ofType('AWS::EC2::NatGateway');
  const endpoints = inv.ofType('AWS::EC2::VPCEndpoint');
  const iface = endpoints.filter((e) => str(e.props.VpcEndpointType) === 'Interface');
  ctx.covered(endpoints.filter((e) => str(e.props.VpcEndpointType) !== 'Interface')); // gateway endpoints are free

  if (nats.length > 0) {
    ctx.add(
      {
        group: 'network',
        resource: `NAT gateways (${nats.length})`,
        quantity: nats.length * hours,
        unit: 'gateway-hour',
        unitPrice: prices.usd('nat-gateway.hour'),
        priceKey: 'nat-gateway.hour',
        from: nats.map(ref),
      },
      nats,
    );
  }
  if (iface.length > 0) {
    const azHours = iface.reduce((sum, e) => sum + Math.max(list(e.props.SubnetIds).length, 1) * hours, 0);
    ctx.add(
      {
        group: 'network',
        resource: `Interface endpoints x AZs (${iface.map(endpointService).join(', ')})`,
        quantity: azHours,
        unit: 'endpoint-AZ-hour',
        unitPrice: prices.usd('vpc-endpoint.interface.az-hour'),
        priceKey: 'vpc-endpoint.interface.az-hour',
        from: iface.map(ref),
      },
      iface,
    );
  }
  // Private egress goes through the interface endpoints when there are any (AWS APIs), else through NAT gateways.
  if (usage.privateEgressGb > 0 && (iface.length > 0 || nats.length > 0)) {
    const viaEndpoints = iface.length > 0;
    const key = viaEndpoints ? 'vpc-endpoint.interface.gb' : 'nat-gateway.gb';
    ctx.add(
      {
        group: 'network',
        resource: `${viaEndpoints ? 'Interface endpoint' : 'NAT gateway'} data processed`,
        quantity: usage.privateEgressGb,
        unit: 'GB',
        unitPrice: prices.usd(key),
        priceKey: key,
        from: (viaEndpoints ? iface : nats).map(ref),
      },
      [],
    );
  }
  const eips = inv.ofType('AWS::EC2::EIP');
  if (eips.length > 0) {
    ctx.add(
      {
        group: 'network',
        resource: `Elastic IPs (${eips.length}; NAT gateways' public addresses)`,
        quantity: eips.length * hours,
        unit: 'address-hour',
        unitPrice: prices.usd('public-ipv4.hour'),
        priceKey: 'public-ipv4.hour',
        from: eips.map(ref),
      },
      eips,
    );
  }
}

function edgeLines(ctx: Context): void {
  const { inv, prices, usage } = ctx;
  const distributions = inv.ofType('AWS::CloudFront::Distribution');
  for (const d of distributions) {
    // The traffic assumption is the environment's; several distributions share it evenly.
    const share = 1 / distributions.length;
    ctx.add(
      {
        group: 'edge',
        resource: `${label(d)} CloudFront HTTPS requests`,
        quantity: (usage.requests * share) / 10_000,
        unit: '10k requests',
        unitPrice: prices.usd('cloudfront.https-requests.per-10k'),
        priceKey: 'cloudfront.https-requests.per-10k',
        from: [ref(d)],
      },
      [d],
    );
    ctx.add(
      {
        group: 'edge',
        resource: `${label(d)} CloudFront data out (North America)`,
        quantity: usage.cdnEgressGb * share,
        unit: 'GB',
        unitPrice: prices.usd('cloudfront.gb-out.north-america'),
        priceKey: 'cloudfront.gb-out.north-america',
        from: [ref(d)],
      },
      [],
    );
  }
  for (const acl of inv.ofType('AWS::WAFv2::WebACL')) {
    const rules = list(acl.props.Rules).length;
    ctx.add(
      {
        group: 'edge',
        resource: `${label(acl)} WAF web ACL`,
        quantity: 1,
        unit: 'web ACL-month',
        unitPrice: prices.usd('waf.web-acl-month'),
        priceKey: 'waf.web-acl-month',
        from: [ref(acl)],
      },
      [acl],
    );
    ctx.add(
      {
        group: 'edge',
        resource: `${label(acl)} WAF rules (${rules})`,
        quantity: rules,
        unit: 'rule-month',
        unitPrice: prices.usd('waf.rule-month'),
        priceKey: 'waf.rule-month',
        from: [ref(acl)],
      },
      [],
    );
    ctx.add(
      {
        group: 'edge',
        resource: `${label(acl)} WAF requests inspected`,
        quantity: usage.requests / 1_000_000,
        unit: 'million requests',
        unitPrice: prices.usd('waf.million-requests'),
        priceKey: 'waf.million-requests',
        from: [ref(acl)],
      },
      [],
    );
  }
  ctx.covered(inv.ofType('AWS::WAFv2::WebACLAssociation'));
}

export function networkLines(ctx: Context): void {
  lbLines(ctx);
  egressLines(ctx);
  edgeLines(ctx);
}
