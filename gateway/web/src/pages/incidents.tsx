// `/incidents`: incidents across all monitors, newest first.

import { useState } from 'preact/hooks';
import { api } from '../api';
import { Card, ErrorBox, PageHeader } from '../components/ui';
import { useAsync, useNow, useStore, useTitle } from '../hooks';
import { IncidentTable } from './monitor';

export function IncidentsPage() {
  useTitle('Incidents');
  const s = useStore();
  useNow(15_000);
  const [openOnly, setOpenOnly] = useState(false);
  const downCount = Array.from(s.rows.values()).filter((r) => r.status?.state === 'STATE_DOWN').length;
  const q = useAsync(() => api.listIncidents({ open_only: openOnly, page_size: 200 }), [openOnly, downCount]);
  return (
    <>
      <PageHeader title="Incidents" subtitle="Every time a monitor went down, and for how long.">
        <div class="segmented" role="group" aria-label="Which incidents">
          <button type="button" aria-pressed={!openOnly} class={!openOnly ? 'active' : ''} onClick={() => setOpenOnly(false)}>
            All
          </button>
          <button type="button" aria-pressed={openOnly} class={openOnly ? 'active' : ''} onClick={() => setOpenOnly(true)}>
            Ongoing
          </button>
        </div>
      </PageHeader>
      {q.error ? (
        <ErrorBox error={q.error} onRetry={q.reload} />
      ) : (
        <Card>
          <IncidentTable incidents={q.data?.incidents ?? []} loading={q.loading} showMonitor />
        </Card>
      )}
    </>
  );
}
