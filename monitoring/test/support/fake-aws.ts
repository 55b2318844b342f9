// Loopback stand-ins for the two AWS APIs the monitoring task calls, for the end-to-end test:
// - ECS (AWS JSON 1.1: POST /, X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>): ListTasks (paginated by
//   100 like the real API), DescribeTasks, DescribeServices, over a task list the test changes while it runs;
// - SNS (AWS Query: POST /, form-encoded Action=Publish): verifies each publication's SigV4 signature and records it.
// moto's ECS server cannot stand in (it fails on Fargate RunTask here), and nothing here leaves the machine.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Credentials, sigv4Problem } from './sigv4.ts';

export interface FakeTask {
  id: string;
  ip: string;
  revision: string;
  lastStatus: 'RUNNING' | 'STOPPED';
  stopCode?: string;
}

const ACCOUNT = '111111111111';

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export class FakeEcs {
  tasks: FakeTask[] = [];
  desiredCount = 0;
  /** One entry per ListTasks call: its desiredStatus filter. */
  readonly listCalls: string[] = [];
  private readonly server: Server;
  port = 0;

  readonly cluster: string;
  readonly serviceName: string;

  constructor(cluster: string, serviceName: string) {
    this.cluster = cluster;
    this.serviceName = serviceName;
    this.server = createServer((req, res) => {
      body(req).then((text) => {
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
        const input = JSON.parse(text || '{}');
        const reply = (status: number, payload: unknown) =>
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
        if (input.cluster !== this.cluster) {
          reply(400, { __type: 'ClusterNotFoundException', message: `cluster ${input.cluster} not found` });
          return;
        }
        if (operation === 'ListTasks') reply(200, this.listTasks(input));
        else if (operation === 'DescribeTasks') reply(200, this.describeTasks(input));
        else if (operation === 'DescribeServices') reply(200, this.describeServices(input));
        else reply(400, { __type: 'InvalidParameterException', message: `unsupported operation ${operation}` });
      });
    });
  }

  async start(): Promise<string> {
    this.port = await listen(this.server);
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private arn(id: string): string {
    return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${this.cluster}/${id}`;
  }

  private listTasks(input: { serviceName?: string; desiredStatus?: string; nextToken?: string }) {
    this.listCalls.push(input.desiredStatus ?? 'RUNNING');
    const wanted = input.desiredStatus ?? 'RUNNING';
    const matching = input.serviceName === this.serviceName ? this.tasks.filter((t) => t.lastStatus === wanted) : [];
    const start = Number(input.nextToken ?? 0);
    const page = matching.slice(start, start + 100);
    return {
      taskArns: page.map((t) => this.arn(t.id)),
      nextToken: start + 100 < matching.length ? String(start + 100) : undefined,
    };
  }

  private describeTasks(input: { tasks: string[] }) {
    const byArn = new Map(this.tasks.map((t) => [this.arn(t.id), t]));
    return {
      tasks: input.tasks.flatMap((arn) => {
        const task = byArn.get(arn);
        if (!task) return [];
        return [
          {
            taskArn: arn,
            lastStatus: task.lastStatus,
            desiredStatus: task.lastStatus,
            stopCode: task.stopCode,
            taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/Nodeapp-e2e-app:${task.revision}`,
            availabilityZone: 'us-east-1a',
            capacityProviderName: 'FARGATE',
            containers: [{ name: 'app', networkInterfaces: [{ privateIpv4Address: task.ip }] }],
          },
        ];
      }),
      failures: [],
    };
  }

  private describeServices(input: { services: string[] }) {
    return {
      services: input.services
        .filter((name) => name === this.serviceName)
        .map((serviceName) => ({
          serviceName,
          status: 'ACTIVE',
          desiredCount: this.desiredCount,
          runningCount: this.tasks.filter((t) => t.lastStatus === 'RUNNING').length,
        })),
      failures: [],
    };
  }
}

export interface Publication {
  params: URLSearchParams;
  authorization: string;
  receivedAt: number;
}

/**
 * SNS Publish that checks what AWS checks first: the SigV4 signature, recomputed with the credentials the caller
 * was given (support/sigv4.ts); a bad one is refused with SignatureDoesNotMatch (403). `deny(topicArn)` makes it refuse
 * that topic with AuthorizationError (403), as SNS does when the role, the topic policy or the key stops allowing
 * the publisher (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors).
 */
export class FakeSns {
  /** Accepted publications. */
  readonly published: Publication[] = [];
  /** Refused ones, with the error code. */
  readonly refused: (Publication & { code: string })[] = [];
  private readonly denied = new Set<string>();
  private readonly credentials: Credentials;
  private readonly server = createServer((req, res) => {
    body(req).then(async (text) => {
      const params = new URLSearchParams(text);
      const publication = { params, authorization: String(req.headers.authorization ?? ''), receivedAt: Date.now() };
      const problem = await sigv4Problem(
        { method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, body: text },
        this.credentials,
      );
      const error = (code: string, message: string) => {
        this.refused.push({ ...publication, code });
        res
          .writeHead(403, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>0</RequestId></ErrorResponse>`,
          );
      };
      if (problem) return error('SignatureDoesNotMatch', problem);
      const topic = params.get('TopicArn') ?? '';
      if (this.denied.has(topic))
        return error('AuthorizationError', `not authorized to perform: SNS:Publish on ${topic}`);
      this.published.push(publication);
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          '<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>' +
            `00000000-0000-0000-0000-${String(this.published.length).padStart(12, '0')}</MessageId></PublishResult>` +
            '<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></PublishResponse>',
        );
    });
  });

  constructor(credentials: Credentials) {
    this.credentials = credentials;
  }

  deny(topicArn: string): void {
    this.denied.add(topicArn);
  }

  async start(): Promise<string> {
    return `http://127.0.0.1:${await listen(this.server)}/`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
