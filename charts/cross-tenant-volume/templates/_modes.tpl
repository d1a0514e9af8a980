{{/*
cross-tenant-volume.modeDefaults: takes the root context; returns (as YAML) what the selected mode
renders when a name, size or option list is left empty: the seed article's choices.
GENERATED from MODE_DEFAULTS in tools/src/schema/modes.ts by `npm run gen`: do not edit.
*/}}
{{- define "cross-tenant-volume.modeDefaults" -}}
{{- if eq .Values.mode "blob-fuse-wi" -}}
driver: blob.csi.azure.com
storageClassName: azureblob-fuse
storageClassParameters:
  skuName: Standard_LRS
  storeAccountKey: 'false'
persistentVolumeName: pv-blob-wi
persistentVolumeClaimName: pvc-blob-wi
podName: blob-fuse-wi-mount
claimStorage: 10Gi
mountOptions:
  - '-o allow_other'
  - '--file-cache-timeout-in-seconds=120'
  - '--use-attr-cache=true'
  - '--cancel-list-on-mount-seconds=10'
  - '-o attr_timeout=120'
  - '-o entry_timeout=120'
  - '-o negative_timeout=120'
  - '--log-level=LOG_WARNING'
  - '--cache-size-mb=1000'
containerName: aks-container
shareName: ''
{{- else if eq .Values.mode "fileshare-nfs" -}}
driver: file.csi.azure.com
storageClassName: azurefile-premium-nfs
storageClassParameters:
  protocol: nfs
  skuName: Premium_LRS
  storeAccountKey: 'false'
persistentVolumeName: pv-fileshare-nfs
persistentVolumeClaimName: pvc-fileshare-nfs
podName: fileshare-nfs-mount
claimStorage: 5Gi
mountOptions:
  - nconnect=4
  - noresvport
  - actimeo=30
containerName: ''
shareName: aks-share
{{- else -}}
{{- /* blob-nfs */ -}}
driver: blob.csi.azure.com
storageClassName: azureblob-nfs
storageClassParameters:
  protocol: nfs
  skuName: Standard_LRS
  storeAccountKey: 'false'
persistentVolumeName: pv-blob-nfs
persistentVolumeClaimName: pvc-blob-nfs
podName: blob-nfs-mount
claimStorage: 5Gi
mountOptions:
  - nconnect=4
containerName: aks-container
shareName: ''
{{- end -}}
{{- end }}
