// `/agents`: the agents checking monitors, their location, load and liveness.

import { api } from '../api';
import { Card, Empty, Loaded, PageHeader } from '../components/ui';
import { ago, labelsText } from '../format';
import { useAsync, useNow, useTitle } from '../hooks';
import { useEffect } from 'preact/hooks';

export function AgentsPage() {
  useTitle('Agents');
  const now = useNow(5_000);
  const q = useAsync(() => Promise.all([api.listAgents(), api.cluster().catch(() => null)]), []);
  useEffect(() => {
    if (!q.loading) q.reload();
  }, [Math.floor(now / 10_000)]);
  const agents = q.data?.[0].agents ?? [];
  const cluster = q.data?.[1];
  return (
    <>
      <PageHeader
        title="Agents"
        subtitle={cluster ? `Coordinator ${cluster.coordinatorId ?? ''} · ${cluster.isLeader ? 'leader' : 'standby'} · version ${cluster.version ?? '?'}` : 'Where checks run from.'}
      />
      <Loaded
        q={q}
        label="Loading agents"
        isEmpty={() => agents.length === 0}
        empty={
          <Empty title="No agents connected">
            <p>Start an agent with <code>uptime-agent --coordinator HOST:PORT</code>; monitors stay pending until one connects.</p>
          </Empty>
        }
      >
        {() => (
        <Card>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Location</th>
                  <th scope="col" class="num">Monitors</th>
                  <th scope="col" class="num">Checks/s</th>
                  <th scope="col">Load</th>
                  <th scope="col">Heartbeat</th>
                  <th scope="col">Connected</th>
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => {
                  const load = a.capacity ? Math.min(1, (a.monitorsAssigned ?? 0) / a.capacity) : 0;
                  const stale = a.lastHeartbeat ? Date.now() - Date.parse(a.lastHeartbeat) > 30_000 : true;
                  return (
                    <tr key={a.agentId}>
                      <td>
                        <strong>{a.agentId}</strong>
                        {a.draining && <span class="badge badge-maintenance badge-small">draining</span>}
                        <div class="muted small">{a.version}</div>
                      </td>
                      <td>{a.labels?.region ?? labelsText(a.labels) ?? '—'}</td>
                      <td class="num">{(a.monitorsAssigned ?? 0).toLocaleString()}</td>
                      <td class="num">{(a.checksPerSecond ?? 0).toFixed(1)}</td>
                      <td>
                        <span class="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(load * 100)} aria-label="Load">
                          <span ref={(el) => {
                            el?.style.setProperty('--v', String(load));
                          }} />
                        </span>
                        <span class="small muted"> {a.capacity ? `${Math.round(load * 100)}% of ${a.capacity}` : `${a.inFlight ?? 0} in flight`}</span>
                      </td>
                      <td class={stale ? 'text-down' : ''}>{ago(a.lastHeartbeat)}</td>
                      <td>{ago(a.connectedSince)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Card>
        )}
      </Loaded>
    </>
  );
}
