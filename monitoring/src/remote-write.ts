// Optional remote_write to Amazon Managed Service for Prometheus (AMP): the path when one Prometheus is not enough
// (retention beyond the task's disk, several Prometheus servers, queries across environments). The Prometheus
// entrypoint appends this block to the baked config when AMP_REMOTE_WRITE_URL is set (infra config
// monitoring.remoteWrite), signing with the task role (SigV4; the role gets aps:RemoteWrite on that workspace).
// Queue settings: the values AWS recommends for AMP,
// https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-onboard-ingest-metrics-remote-write.html
export const REMOTE_WRITE_URL_VARIABLE = 'AMP_REMOTE_WRITE_URL';
/** https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-<id>/api/v1/remote_write */
export const AMP_REMOTE_WRITE_URL =
  /^https:\/\/aps-workspaces\.[a-z0-9-]+\.amazonaws\.com\/workspaces\/ws-[a-zA-Z0-9-]+\/api\/v1\/remote_write$/;

export function remoteWriteConfig(): Record<string, unknown> {
  return {
    remote_write: [
      {
        url: `\${${REMOTE_WRITE_URL_VARIABLE}}`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an environment reference for Prometheus, not JavaScript
        sigv4: { region: '${AWS_REGION}' },
        queue_config: { max_samples_per_send: 1000, max_shards: 200, capacity: 2500 },
      },
    ],
  };
}
