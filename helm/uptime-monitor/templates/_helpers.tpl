{{/* Names, labels and the pieces every component shares. */}}

{{- define "uptime.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "uptime.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<suffix>", at most 63 characters. Call with (list $ "suffix"). */}}
{{- define "uptime.component.fullname" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "uptime.fullname" $root | trunc (int (sub 62 (len (index . 1))))) (index . 1) | trimSuffix "-" -}}
{{- end -}}

{{- define "uptime.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component. Call with (list $ "component"). */}}
{{- define "uptime.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "uptime.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Recommended labels of a component. Call with (list $ "component"). */}}
{{- define "uptime.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ include "uptime.chart" $root }}
{{ include "uptime.selectorLabels" . }}
app.kubernetes.io/part-of: uptime-monitor
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- with $root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* repository:tag of a component's image. Call with (list $ .Values.x.image). */}}
{{- define "uptime.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "uptime.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "uptime.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "uptime.coordinator.fullname" -}}{{ include "uptime.component.fullname" (list . "coordinator") }}{{- end -}}
{{- define "uptime.gateway.fullname" -}}{{ include "uptime.component.fullname" (list . "gateway") }}{{- end -}}
{{- define "uptime.postgresql.fullname" -}}{{ include "uptime.component.fullname" (list . "postgresql") }}{{- end -}}
{{- define "uptime.redis.fullname" -}}{{ include "uptime.component.fullname" (list . "redis") }}{{- end -}}
{{- define "uptime.agents.fullname" -}}{{ include "uptime.component.fullname" (list . "agents") }}{{- end -}}

{{/* The coordinator's address inside the cluster. */}}
{{- define "uptime.coordinator.address" -}}
{{- printf "%s:%d" (include "uptime.coordinator.fullname" .) (int .Values.coordinator.service.port) -}}
{{- end -}}

{{/* The name clients verify in the coordinator's certificate. */}}
{{- define "uptime.tls.serverName" -}}
{{- default (include "uptime.coordinator.fullname" .) .Values.tls.serverName -}}
{{- end -}}

{{/* The Secret holding the tokens, generated or the user's. */}}
{{- define "uptime.tokens.secretName" -}}
{{- default (include "uptime.component.fullname" (list . "tokens")) .Values.auth.existingSecret -}}
{{- end -}}

{{/* Secret and key holding the PostgreSQL connection string; empty when there is none. */}}
{{- define "uptime.postgres.secretName" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "uptime.postgresql.fullname" . -}}
{{- else if .Values.externalPostgresql.existingSecret -}}
{{- .Values.externalPostgresql.existingSecret -}}
{{- else if .Values.externalPostgresql.dsn -}}
{{- include "uptime.component.fullname" (list . "database") -}}
{{- end -}}
{{- end -}}

{{- define "uptime.postgres.secretKey" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalPostgresql.existingSecret -}}
{{- .Values.externalPostgresql.existingSecretKey -}}
{{- else -}}
dsn
{{- end -}}
{{- end -}}

{{/* EnvVar UPTIME_REDIS for the coordinator and the gateway; nothing without Redis. */}}
{{- define "uptime.redis.env" -}}
{{- if .Values.redis.enabled }}
- name: UPTIME_REDIS
  value: {{ printf "%s:6379" (include "uptime.redis.fullname" .) | quote }}
{{- else if .Values.externalRedis.existingSecret }}
- name: UPTIME_REDIS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalRedis.existingSecret }}
      key: {{ .Values.externalRedis.existingSecretKey }}
{{- else if .Values.externalRedis.address }}
- name: UPTIME_REDIS
  value: {{ .Values.externalRedis.address | quote }}
{{- end }}
{{- end -}}

{{/* A value kept across upgrades: the given one, else the one in the live Secret, else a new
     random one. Call with (dict "given" X "secret" $liveSecret "key" "k"); returns base64. */}}
{{- define "uptime.keptSecretValue" -}}
{{- if .given -}}
{{- .given | b64enc -}}
{{- else if and .secret .secret.data (index .secret.data .key) -}}
{{- index .secret.data .key -}}
{{- else -}}
{{- randAlphaNum 40 | b64enc -}}
{{- end -}}
{{- end -}}

{{/* The pod-level fields every component shares. */}}
{{- define "uptime.podCommon" -}}
{{- $root := index . 0 -}}
serviceAccountName: {{ include "uptime.serviceAccountName" $root }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Checksum of the settings a component reads (its values, tokens, TLS, stores), so `helm
     upgrade` with a changed setting rolls its pods. Generated tokens are kept across upgrades,
     so they never change on their own and need not be part of it. */}}
{{- define "uptime.configChecksum" -}}
{{- $root := index . 0 -}}
{{- $v := $root.Values -}}
{{- list $v.auth $v.tls $v.postgresql $v.externalPostgresql $v.redis.enabled $v.externalRedis (index . 1) | toJson | sha256sum -}}
{{- end -}}

{{/* uptimectl's connection flags for a Job in the release: the coordinator Service, a token file
     from the tokens Secret, TLS when enabled. Call with (list $ "read-token"|"admin-token"). */}}
{{- define "uptime.uptimectl.args" -}}
{{- $root := index . 0 -}}
- --addr={{ include "uptime.coordinator.address" $root }}
- --token-file=/etc/uptime/tokens/{{ index . 1 }}
- --timeout=20s
{{- if $root.Values.tls.enabled }}
- --tls
- --tls-ca=/etc/uptime/tls/ca.crt
- --tls-server-name={{ include "uptime.tls.serverName" $root }}
{{- if $root.Values.tls.mutual }}
- --tls-cert=/etc/uptime/client-tls/tls.crt
- --tls-key=/etc/uptime/client-tls/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{/* The mounts the flags above name. Call with (list $). */}}
{{- define "uptime.uptimectl.volumeMounts" -}}
{{- $root := index . 0 -}}
- name: tokens
  mountPath: /etc/uptime/tokens
  readOnly: true
{{- if $root.Values.tls.enabled }}
- name: tls
  mountPath: /etc/uptime/tls
  readOnly: true
{{- if $root.Values.tls.mutual }}
- name: client-tls
  mountPath: /etc/uptime/client-tls
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* The volumes behind those mounts; only the one token the Job needs is mounted. Call with
     (list $ "read-token"|"admin-token"). */}}
{{- define "uptime.uptimectl.volumes" -}}
{{- $root := index . 0 -}}
- name: tokens
  secret:
    secretName: {{ include "uptime.tokens.secretName" $root }}
    defaultMode: 0440
    items:
      - {key: {{ index . 1 }}, path: {{ index . 1 }}}
{{- if $root.Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ $root.Values.tls.existingSecret }}
    defaultMode: 0440
    items:
      - {key: ca.crt, path: ca.crt}
{{- if $root.Values.tls.mutual }}
- name: client-tls
  secret:
    secretName: {{ $root.Values.tls.clientSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}
{{- end -}}
