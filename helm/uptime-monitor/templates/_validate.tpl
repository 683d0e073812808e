{{/* Combinations the schema cannot express; rendered (and failing) from NOTES.txt and every workload. */}}
{{- define "uptime.validate" -}}
{{- $v := .Values -}}
{{- if and (not $v.postgresql.enabled) (not $v.externalPostgresql.dsn) (not $v.externalPostgresql.existingSecret) (gt (int $v.coordinator.replicas) 1) -}}
{{- fail "without PostgreSQL (postgresql.enabled=false and no externalPostgresql) there is no leader election: set coordinator.replicas=1, or give externalPostgresql.dsn or externalPostgresql.existingSecret" -}}
{{- end -}}
{{- if and $v.postgresql.enabled (or $v.externalPostgresql.dsn $v.externalPostgresql.existingSecret) -}}
{{- fail "externalPostgresql is set but postgresql.enabled=true: set postgresql.enabled=false to use the external database" -}}
{{- end -}}
{{- if and $v.redis.enabled (or $v.externalRedis.address $v.externalRedis.existingSecret) -}}
{{- fail "externalRedis is set but redis.enabled=true: set redis.enabled=false to use the external Redis" -}}
{{- end -}}
{{- if and $v.tls.enabled (not $v.tls.existingSecret) -}}
{{- fail "tls.enabled=true needs tls.existingSecret (a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt)" -}}
{{- end -}}
{{- if and $v.tls.mutual (or (not $v.tls.enabled) (not $v.tls.clientSecret)) -}}
{{- fail "tls.mutual=true needs tls.enabled=true and tls.clientSecret (the agents' client certificate)" -}}
{{- end -}}
{{- if and $v.gateway.httpRoute.enabled (not $v.gateway.httpRoute.parentRefs) -}}
{{- fail "gateway.httpRoute.enabled=true needs gateway.httpRoute.parentRefs (the Gateway to attach to)" -}}
{{- end -}}
{{- $names := dict -}}
{{- range $v.agents.groups -}}
{{- if hasKey $names .name -}}
{{- fail (printf "agents.groups: the name %q appears twice" .name) -}}
{{- end -}}
{{- $_ := set $names .name true -}}
{{- end -}}
{{- end -}}
