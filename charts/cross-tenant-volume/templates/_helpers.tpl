{{/*
Helpers of the cross-tenant-volume chart. Every name is prefixed with the chart's name because
template names are global across a parent chart and its subcharts.
*/}}

{{/*
cross-tenant-volume.default: takes (list <root context> "<key>"); returns one mode default as a string,
from cross-tenant-volume.modeDefaults (templates/_modes.tpl, generated from tools/src/schema/modes.ts).
*/}}
{{- define "cross-tenant-volume.default" -}}
{{- $root := index . 0 -}}
{{- $defaults := include "cross-tenant-volume.modeDefaults" $root | fromYaml -}}
{{- index $defaults (index . 1) -}}
{{- end }}

{{/*
cross-tenant-volume.chart: takes the root context; the helm.sh/chart label value.
*/}}
{{- define "cross-tenant-volume.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/*
cross-tenant-volume.labels: takes the root context; the labels every object carries (standard
app.kubernetes.io labels, the mode, and commonLabels), as raw YAML in which a commonLabels key may
repeat a chart key: templates emit labels through labelsWith, which folds the repeats into one.
*/}}
{{- define "cross-tenant-volume.labels" -}}
helm.sh/chart: {{ include "cross-tenant-volume.chart" . | quote }}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
cross-tenant-volume/mode: {{ .Values.mode | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
cross-tenant-volume.labelsWith: takes (list <root context> <extra map>); the common labels merged with
an object's own (the object's win), as YAML, so a key set in both places is emitted once.
*/}}
{{- define "cross-tenant-volume.labelsWith" -}}
{{- $base := include "cross-tenant-volume.labels" (index . 0) | fromYaml -}}
{{- toYaml (merge (deepCopy (index . 1 | default dict)) $base) -}}
{{- end }}

{{/*
cross-tenant-volume.annotationsWith: takes (list <chart's map> <user's map>); one map, the chart's keys
winning (e.g. helm.sh/hook, pv.kubernetes.io/provisioned-by), as YAML; empty when both are empty.
*/}}
{{- define "cross-tenant-volume.annotationsWith" -}}
{{- $merged := merge (deepCopy (index . 0 | default dict)) (deepCopy (index . 1 | default dict)) -}}
{{- if $merged -}}
{{- toYaml $merged -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.persistentVolumeName: takes the root context. The PV is cluster-scoped, so the
default adds namespace and release to the seed's name: two releases never collide.
*/}}
{{- define "cross-tenant-volume.persistentVolumeName" -}}
{{- if .Values.persistentVolume.name -}}
{{- .Values.persistentVolume.name -}}
{{- else -}}
{{- printf "%s-%s-%s" (include "cross-tenant-volume.default" (list . "persistentVolumeName")) .Release.Namespace .Release.Name | trunc 253 | trimSuffix "-" | trimSuffix "." -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.persistentVolumeClaimName: takes the root context; the claim's name.
*/}}
{{- define "cross-tenant-volume.persistentVolumeClaimName" -}}
{{- .Values.persistentVolumeClaim.name | default (include "cross-tenant-volume.default" (list . "persistentVolumeClaimName")) -}}
{{- end }}

{{/*
cross-tenant-volume.storageClassName: takes the root context; the storageClassName on PV, PVC and
(when created) the StorageClass. Static binding needs only the names to match.
*/}}
{{- define "cross-tenant-volume.storageClassName" -}}
{{- .Values.storageClass.name | default (include "cross-tenant-volume.default" (list . "storageClassName")) -}}
{{- end }}

{{/*
cross-tenant-volume.podName: takes the root context; the demo pod's name.
*/}}
{{- define "cross-tenant-volume.podName" -}}
{{- .Values.demo.name | default (include "cross-tenant-volume.default" (list . "podName")) -}}
{{- end }}

{{/*
cross-tenant-volume.driver: takes the root context; the CSI driver of the mode.
*/}}
{{- define "cross-tenant-volume.driver" -}}
{{- include "cross-tenant-volume.default" (list . "driver") -}}
{{- end }}

{{/*
cross-tenant-volume.containerName: takes the root context; the blob container the volume points at
(the seed's aks-container when left empty; empty in fileshare-nfs).
*/}}
{{- define "cross-tenant-volume.containerName" -}}
{{- .Values.storage.containerName | default (include "cross-tenant-volume.default" (list . "containerName")) -}}
{{- end }}

{{/*
cross-tenant-volume.shareName: takes the root context; the Azure Files share the volume points at
(the seed's aks-share when left empty; empty in the blob modes).
*/}}
{{- define "cross-tenant-volume.shareName" -}}
{{- .Values.storage.shareName | default (include "cross-tenant-volume.default" (list . "shareName")) -}}
{{- end }}

{{/*
cross-tenant-volume.encryptInTransit: takes the root context; "true" or "false", whether the fileshare-nfs PV
mounts through TLS: storage.encryptInTransit, where null means on. On helm upgrade the release's PV already exists
(lookup is empty in helm template and --dry-run=client, so those render the value alone), and Kubernetes never lets
a PV's attributes change: a value that would change its encryptInTransit fails here, naming the value to set, instead
of failing at the API server with "spec.persistentvolumesource is immutable".
*/}}
{{- define "cross-tenant-volume.encryptInTransit" -}}
{{- $value := .Values.storage.encryptInTransit -}}
{{- $want := or (kindIs "invalid" $value) $value -}}
{{- $name := include "cross-tenant-volume.persistentVolumeName" . -}}
{{- $csi := dig "spec" "csi" dict (lookup "v1" "PersistentVolume" "" $name) -}}
{{- if eq (get $csi "driver" | default "" | toString) "file.csi.azure.com" -}}
{{- $has := eq (dig "volumeAttributes" "encryptInTransit" "" $csi | toString | lower) "true" -}}
{{- $reinstall := printf "helm uninstall %s -n %s, then helm install with the same values (the PV is Retain: the share keeps its data)" .Release.Name .Release.Namespace -}}
{{- if and $want (not $has) -}}
{{- fail (printf "ERROR: storage.encryptInTransit: is %s, but this release's PersistentVolume %s already mounts without encryptInTransit (it was installed by a chart that did not encrypt fileshare-nfs in transit), and a PV's attributes can never change. Set storage.encryptInTransit: false to keep it mounting unencrypted (the account must then keep secure transfer off), or reinstall to encrypt it: %s." (ternary "unset (on by default)" "true" (kindIs "invalid" $value)) $name $reinstall) -}}
{{- end -}}
{{- if and (not $want) $has -}}
{{- fail (printf "ERROR: storage.encryptInTransit: is false, but this release's PersistentVolume %s already mounts encrypted in transit, and a PV's attributes can never change. Remove storage.encryptInTransit (or set it to true) to keep it encrypted, or reinstall to mount unencrypted: %s." $name $reinstall) -}}
{{- end -}}
{{- end -}}
{{- ternary "true" "false" (not (not $want)) -}}
{{- end }}

{{/*
cross-tenant-volume.claimStorage: takes the root context; the size the claim requests.
*/}}
{{- define "cross-tenant-volume.claimStorage" -}}
{{- .Values.persistentVolumeClaim.storage | default (include "cross-tenant-volume.default" (list . "claimStorage")) -}}
{{- end }}

{{/*
cross-tenant-volume.mountOptions: takes the root context; returns YAML {"options": [...]}. null in
values means the mode's seed options; a list (even an empty one) is used as given.
*/}}
{{- define "cross-tenant-volume.mountOptions" -}}
{{- $options := .Values.persistentVolume.mountOptions -}}
{{- if kindIs "invalid" $options -}}
{{- $options = get (include "cross-tenant-volume.modeDefaults" . | fromYaml) "mountOptions" -}}
{{- end -}}
{{- dict "options" $options | toYaml -}}
{{- end }}

{{/*
cross-tenant-volume.volumeHandle: takes the root context. Deterministic (a PV's spec cannot change,
so a random suffix would break helm upgrade) and unique per PV: the PV name is the last segment.
Blob: <rg>#<account>#<container>#<pv>, where the 4th segment is free-form for the Blob CSI driver.
File: <rg>#<account>#<share>##<pv>, since the Azure Files driver reads a 4th segment as a VHD disk name.
*/}}
{{- define "cross-tenant-volume.volumeHandle" -}}
{{- if .Values.persistentVolume.volumeHandle -}}
{{- .Values.persistentVolume.volumeHandle -}}
{{- else if eq .Values.mode "fileshare-nfs" -}}
{{- printf "%s#%s#%s##%s" .Values.storage.resourceGroup .Values.storage.accountName (include "cross-tenant-volume.shareName" .) (include "cross-tenant-volume.persistentVolumeName" .) -}}
{{- else -}}
{{- printf "%s#%s#%s#%s" .Values.storage.resourceGroup .Values.storage.accountName (include "cross-tenant-volume.containerName" .) (include "cross-tenant-volume.persistentVolumeName" .) -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.podSpec: takes (dict "root" <root context> "image" <image values> "container"
<name> "script" <shell script> "restartPolicy" <policy>); the spec shared by the demo and test pods,
which meets the restricted Pod Security Standard and, in blob-fuse-wi, runs as the ServiceAccount
the federated credential trusts.
*/}}
{{- define "cross-tenant-volume.podSpec" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- if eq $v.mode "blob-fuse-wi" }}
serviceAccountName: {{ $v.serviceAccount.name | quote }}
{{- end }}
{{- /* The CSI driver gets its token from kubelet (CSIDriver tokenRequests), not from the pod. */}}
automountServiceAccountToken: false
restartPolicy: {{ .restartPolicy | quote }}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ $v.pods.runAsUser }}
  runAsGroup: {{ $v.pods.runAsGroup }}
  {{- /* The drivers apply fsGroup themselves: BlobFuse2 gets -o gid=, an NFS share a recursive chgrp of
  the other tenant's files. NFS roots are writable anyway: the drivers chmod them to mountPermissions 0777. */}}
  {{- if eq $v.mode "blob-fuse-wi" }}
  fsGroup: {{ $v.pods.fsGroup }}
  {{- end }}
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: {{ .container | quote }}
    image: {{ printf "%s:%s" .image.repository .image.tag | quote }}
    imagePullPolicy: {{ .image.pullPolicy | quote }}
    command: ["/bin/sh", "-c"]
    args:
      - {{ .script | quote }}
    env:
      - name: MOUNT_PATH
        value: {{ $v.pods.mountPath | quote }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      runAsNonRoot: true
      capabilities:
        drop: ["ALL"]
    {{- with $v.pods.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    volumeMounts:
      - name: volume
        mountPath: {{ $v.pods.mountPath | quote }}
volumes:
  - name: volume
    persistentVolumeClaim:
      claimName: {{ include "cross-tenant-volume.persistentVolumeClaimName" $root | quote }}
{{- /* Linux only: BlobFuse2 and the NFS mounts do not exist on Windows nodes, nor does the image. */}}
nodeSelector:
  {{- toYaml (merge (deepCopy $v.pods.nodeSelector) (dict "kubernetes.io/os" "linux")) | nindent 2 }}
{{- with $v.pods.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.pods.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
