{{/* Names: every object is "<release>-<component>". */}}
{{- define "fernway.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "fernway.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "fernway.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image of a deploy/Dockerfile stage: (dict "root" $ "stage" "location-analytics"). */}}
{{- define "fernway.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .stage .root.Values.image.tag -}}
{{- end -}}

{{/* The code server Service of a location (the host name the workspace uses). */}}
{{- define "fernway.codeServer" -}}
{{- printf "%s-code-%s" (include "fernway.fullname" .root) .name -}}
{{- end -}}

{{/*
Environment of a Fernway container: the settings, DAGSTER_HOME and the given keys of the Secret:
(dict "root" $ "keys" list).
*/}}
{{- define "fernway.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "fernway.fullname" .root }}-settings
env:
  - name: DAGSTER_HOME
    value: {{ .root.Values.dagsterHome | quote }}
{{- range .keys }}
  - name: {{ . }}
    valueFrom:
      secretKeyRef:
        name: {{ $.root.Values.secret.name }}
        key: {{ . }}
{{- end }}
{{- end -}}

{{/* Volumes of every Fernway pod: the instance dagster.yaml, the workspace, scratch data. */}}
{{- define "fernway.volumes" -}}
- name: instance
  configMap:
    name: {{ include "fernway.fullname" . }}-instance
- name: workspace
  configMap:
    name: {{ include "fernway.fullname" . }}-workspace
- name: data
  emptyDir: {}
{{- end -}}

{{- define "fernway.volumeMounts" -}}
- name: instance
  mountPath: {{ .Values.dagsterHome }}/dagster.yaml
  subPath: dagster.yaml
  readOnly: true
- name: workspace
  mountPath: /opt/dagster/workspace
  readOnly: true
- name: data
  mountPath: {{ .Values.dataDir }}
{{- end -}}
