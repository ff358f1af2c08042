{{/* The chart's name, or nameOverride. */}}
{{- define "eks-oidc-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object's name. */}}
{{- define "eks-oidc-api.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "eks-oidc-api.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "eks-oidc-api.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Labels that select the pods; never change between upgrades. */}}
{{- define "eks-oidc-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eks-oidc-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The standard app.kubernetes.io labels of every object. */}}
{{- define "eks-oidc-api.labels" -}}
{{ include "eks-oidc-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: eks-oidc-api
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "eks-oidc-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "eks-oidc-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding AUTH_API_TOKENS and AUTH_GRANTS: the user's, or the chart's own. */}}
{{- define "eks-oidc-api.authSecretName" -}}
{{- default (printf "%s-auth" (include "eks-oidc-api.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/*
An environment value as the service reads it. Helm reads every number of the values as a float, which
would print 268435456 as 2.68435456e+08: whole numbers are printed as integers.
*/}}
{{- define "eks-oidc-api.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) }}
{{- printf "%d" (int64 .) }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* Where the PostgreSQL CA bundle is mounted. */}}
{{- define "eks-oidc-api.postgresqlCaDir" -}}
/etc/eks-oidc-api/postgresql-ca
{{- end }}

{{/* DATABASE_URL without credentials: the user and password come as PGUSER and PGPASSWORD. */}}
{{- define "eks-oidc-api.databaseUrl" -}}
{{- with .Values.postgresql }}
{{- printf "postgres://%s:%d/%s?sslmode=%s" .host (int64 .port) .database .sslmode }}
{{- if .caConfigMap }}{{ printf "&sslrootcert=%s/%s" (include "eks-oidc-api.postgresqlCaDir" $) .caKey }}{{ end }}
{{- end }}
{{- end }}

{{/* REDIS_KEY_PREFIX: redis.keyPrefix, or the release's full name and ':' (releases sharing a Redis never collide). */}}
{{- define "eks-oidc-api.redisKeyPrefix" -}}
{{- default (printf "%s:" (include "eks-oidc-api.fullname" .)) .Values.redis.keyPrefix }}
{{- end }}
