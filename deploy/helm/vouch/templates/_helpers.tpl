{{- define "vouch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vouch.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: worker or bot. */}}
{{- define "vouch.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vouch.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "vouch.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "vouch.fullname" .)) -}}
{{- end -}}

{{- define "vouch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "vouch.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Settings both processes read (lib/config.ts); secrets come as files, through <NAME>_FILE. */}}
{{- define "vouch.commonEnv" -}}
- name: NODE_ENV
  value: production
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required (host:port of Temporal's frontend)" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: VOUCH_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: MONGODB_DB
  value: {{ .Values.mongodb.database | quote }}
- name: MONGODB_URL_FILE
  value: /run/secrets/vouch/mongodb_url
- name: SLACK_BOT_TOKEN_FILE
  value: /run/secrets/vouch/slack_bot_token
- name: SLACK_API_URL
  value: {{ .Values.slack.apiUrl | quote }}
- name: VOUCH_SECURITY_CHANNEL
  value: {{ .Values.slack.securityChannel | quote }}
- name: VOUCH_ENCRYPTION_KEY_FILE
  value: /run/secrets/vouch/vouch_encryption_key
- name: VOUCH_PREVIOUS_ENCRYPTION_KEYS_FILE
  value: /run/secrets/vouch/vouch_previous_encryption_keys
- name: VOUCH_TEAMS_APP_ID
  value: {{ .Values.teams.appId | quote }}
{{- if .Values.teams.appId }}
- name: VOUCH_TEAMS_APP_PASSWORD_FILE
  value: /run/secrets/vouch/vouch_teams_app_password
{{- end }}
- name: VOUCH_TEAMS_TENANT_ID
  {{- if .Values.teams.appId }}
  value: {{ required "teams.tenantId is required with teams.appId (the Entra tenant id)" .Values.teams.tenantId | quote }}
  {{- else }}
  value: {{ .Values.teams.tenantId | quote }}
  {{- end }}
- name: VOUCH_TEAMS_OPERATORS_CONVERSATION
  value: {{ .Values.teams.operatorsConversation | quote }}
- name: VOUCH_TEAMS_SERVICE_URL
  value: {{ .Values.teams.serviceUrl | quote }}
{{- if and .Values.teams.graphLookup (not .Values.teams.appId) }}
{{- fail "teams.graphLookup needs teams.appId: Microsoft Graph is asked with the Teams app registration" }}
{{- end }}
- name: VOUCH_GRAPH_LOOKUP
  value: {{ .Values.teams.graphLookup | quote }}
- name: VOUCH_GRAPH_URL
  value: {{ .Values.teams.graphUrl | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{/* A restricted-profile security context: the processes write nothing outside /tmp. */}}
{{- define "vouch.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
