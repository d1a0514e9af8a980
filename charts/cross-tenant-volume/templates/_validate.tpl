{{/*
cross-tenant-volume.validate: takes the root context; fails the render with
"ERROR: <key.path>: <problem>. <how to fix>" at the first rule the values break. values.schema.json
checks types and unknown keys first; these are the rules JSON Schema draft-07 cannot carry. Same
rules, order and words as checkValues() in tools/src/schema/values.ts: the shared table of invalid
values files (test/fixtures/invalid) runs against both. Included once, from persistentvolume.yaml.
*/}}
{{- define "cross-tenant-volume.validate" -}}
{{- $v := .Values -}}
{{- $mode := $v.mode -}}
{{- $s := $v.storage -}}
{{- $blob := ne $mode "fileshare-nfs" -}}
{{- $wi := eq $mode "blob-fuse-wi" -}}
{{- $containerRe := "^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$" -}}
{{- $nameRe := "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" -}}
{{- $guidRe := "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" -}}

{{- /* storage */ -}}
{{- if eq $s.accountName "" -}}
{{- fail "ERROR: storage.accountName: is empty. Set it to the storage account's name in the storage tenant (3-24 lowercase letters and digits)." -}}
{{- else if not (regexMatch "^[a-z0-9]{3,24}$" $s.accountName) -}}
{{- fail (printf "ERROR: storage.accountName: '%s' is not a valid storage account name. Use 3-24 lowercase letters and digits only." $s.accountName) -}}
{{- end -}}
{{- if and (not $blob) (ne $s.containerName "") -}}
{{- fail "ERROR: storage.containerName: is set, but mode fileshare-nfs mounts a file share. Remove storage.containerName and set storage.shareName, or choose mode blob-fuse-wi or blob-nfs." -}}
{{- end -}}
{{- if and $blob (ne $s.shareName "") -}}
{{- fail (printf "ERROR: storage.shareName: is set, but mode %s mounts a blob container. Remove storage.shareName and set storage.containerName, or choose mode fileshare-nfs." $mode) -}}
{{- end -}}
{{- if and (ne $s.containerName "") (or (not (regexMatch $containerRe $s.containerName)) (contains "--" $s.containerName)) -}}
{{- fail (printf "ERROR: storage.containerName: '%s' is not a valid container name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit." $s.containerName) -}}
{{- end -}}
{{- if and (ne $s.shareName "") (or (not (regexMatch $containerRe $s.shareName)) (contains "--" $s.shareName)) -}}
{{- fail (printf "ERROR: storage.shareName: '%s' is not a valid file share name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit." $s.shareName) -}}
{{- end -}}
{{- /* Every mode: it opens the volume handle, which may never change once the PV exists. */ -}}
{{- if eq $s.resourceGroup "" -}}
{{- fail (printf "ERROR: storage.resourceGroup: is empty, but mode %s needs it. Set it to the storage account's resource group in the storage tenant." $mode) -}}
{{- end -}}
{{- if and (ne $s.resourceGroup "") (not (regexMatch "^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$" $s.resourceGroup)) -}}
{{- fail (printf "ERROR: storage.resourceGroup: '%s' is not a valid resource group name. Use 1-90 letters, digits, '.', '_', '-', '(' and ')', not ending with '.'." $s.resourceGroup) -}}
{{- end -}}
{{- $wiOnly := list
      (list "storage.subscriptionId" $s.subscriptionId "az account show --query id -o tsv, in the storage tenant")
      (list "storage.tenantId" $s.tenantId "az account show --query tenantId -o tsv, in the storage tenant")
      (list "workloadIdentity.clientId" $v.workloadIdentity.clientId "az ad app show --id <app> --query appId -o tsv") -}}
{{- range $wiOnly -}}
{{- $path := index . 0 -}}
{{- $value := index . 1 -}}
{{- $how := index . 2 -}}
{{- if and $wi (eq $value "") -}}
{{- fail (printf "ERROR: %s: is empty, but mode blob-fuse-wi needs it. Set it to a GUID (%s)." $path $how) -}}
{{- else if and (not $wi) (ne $value "") -}}
{{- fail (printf "ERROR: %s: is set, but mode %s does not use it (NFS access is granted by the network, not an identity). Remove it, or choose mode blob-fuse-wi." $path $mode) -}}
{{- end -}}
{{- if and (ne $value "") (not (regexMatch $guidRe $value)) -}}
{{- fail (printf "ERROR: %s: '%s' is not a GUID. Use the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (%s)." $path $value $how) -}}
{{- end -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$" $s.endpointSuffix) -}}
{{- fail (printf "ERROR: storage.endpointSuffix: '%s' is not a DNS suffix. Use core.windows.net for Azure's public cloud, or your cloud's storage suffix." $s.endpointSuffix) -}}
{{- end -}}

{{- /* identity */ -}}
{{- if and $wi (eq $v.serviceAccount.name "") -}}
{{- fail "ERROR: serviceAccount.name: is empty, but mode blob-fuse-wi runs the pods as a named ServiceAccount that the federated credential trusts. Set it (the seed uses blob-fuse-sa)." -}}
{{- end -}}
{{- include "cross-tenant-volume.validateName" (list "serviceAccount.name" $v.serviceAccount.name "ServiceAccount" $nameRe) -}}

{{- /* volume */ -}}
{{- $pv := $v.persistentVolume -}}
{{- include "cross-tenant-volume.validateName" (list "persistentVolume.name" $pv.name "PersistentVolume" $nameRe) -}}
{{- $capacity := include "cross-tenant-volume.quantityMi" $pv.capacity -}}
{{- if eq $capacity "" -}}
{{- fail (printf "ERROR: persistentVolume.capacity: '%s' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 10Gi." $pv.capacity) -}}
{{- end -}}
{{- if ne $pv.reclaimPolicy "Retain" -}}
{{- fail (printf "ERROR: persistentVolume.reclaimPolicy: '%s' is not allowed. Use Retain: the chart never lets Kubernetes delete the container or share." $pv.reclaimPolicy) -}}
{{- end -}}
{{- range $i, $option := ($pv.mountOptions | default list) -}}
{{- $flag := regexReplaceAll "[\\s=].*$" (trim $option) "" -}}
{{- if and $wi (has $flag (list "--tmp-path" "--config-file" "--container-name" "--log-file-path")) -}}
{{- fail (printf "ERROR: persistentVolume.mountOptions[%d]: '%s' is set by the Blob CSI driver itself and refused from users. Remove it." $i $option) -}}
{{- end -}}
{{- if and (not $blob) (has $flag (list "vers" "minorversion" "sec")) -}}
{{- fail (printf "ERROR: persistentVolume.mountOptions[%d]: '%s' is fixed by the Azure Files CSI driver for NFS. Remove it." $i $option) -}}
{{- end -}}
{{- end -}}
{{- $chartKeys := list "mountWithWorkloadIdentityToken" "storageaccount" "containerName" "clientID" "resourcegroup" "tenantID" "subscriptionid" "shareName" "storageEndpointSuffix" "protocol" -}}
{{- $credentialKeys := list "secretname" "secretnamespace" "azurestorageaccountkey" "azurestorageaccountsastoken" "azurestoragespnclientsecret" -}}
{{- range $key := keys $pv.volumeAttributes | sortAlpha -}}
{{- $value := get $pv.volumeAttributes $key -}}
{{- $own := "" -}}
{{- range $chartKeys -}}
{{- if eq (lower .) (lower $key) -}}{{- $own = . -}}{{- end -}}
{{- end -}}
{{- if ne $own "" -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: duplicates the attribute %s that the chart sets (the driver compares keys case-insensitively). Remove it and set the matching storage or workloadIdentity value." $key $own) -}}
{{- else if has (lower $key) $credentialKeys -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: would make the driver use an account key or a Secret, which this chart never does. Remove it." $key) -}}
{{- else if and (eq (lower $key) "mountpermissions") (not (regexMatch "^[0-7]{1,4}$" $value)) -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: '%s' is not an octal file mode. Use 1-4 digits 0-7, like 0777, or 0 to skip the chmod of the mount root." $key $value) -}}
{{- else if and (eq (lower $key) "fsgroupchangepolicy") (not (has $value (list "OnRootMismatch" "Always" "None"))) -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: '%s' is not a policy the drivers accept. Use OnRootMismatch, Always or None." $key $value) -}}
{{- end -}}
{{- end -}}

{{- /* claim */ -}}
{{- $pvc := $v.persistentVolumeClaim -}}
{{- include "cross-tenant-volume.validateName" (list "persistentVolumeClaim.name" $pvc.name "PersistentVolumeClaim" $nameRe) -}}
{{- $claimText := include "cross-tenant-volume.claimStorage" . -}}
{{- $claim := include "cross-tenant-volume.quantityMi" $claimText -}}
{{- if eq $claim "" -}}
{{- fail (printf "ERROR: persistentVolumeClaim.storage: '%s' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 5Gi." $pvc.storage) -}}
{{- else if and (ne $capacity "") (gt (int64 $claim) (int64 $capacity)) -}}
{{- fail (printf "ERROR: persistentVolumeClaim.storage: %s is larger than persistentVolume.capacity %s. Request at most %s, or raise persistentVolume.capacity." $claimText $pv.capacity $pv.capacity) -}}
{{- end -}}

{{- /* class and pods */ -}}
{{- include "cross-tenant-volume.validateName" (list "storageClass.name" $v.storageClass.name "StorageClass" $nameRe) -}}
{{- include "cross-tenant-volume.validateName" (list "demo.name" $v.demo.name "Pod" $nameRe) -}}
{{- if or (not (hasPrefix "/" $v.pods.mountPath)) (eq $v.pods.mountPath "/") -}}
{{- fail (printf "ERROR: pods.mountPath: '%s' is not an absolute path below /. Use a path like /mnt/azure." $v.pods.mountPath) -}}
{{- end -}}
{{- range $path, $img := dict "demo.image" $v.demo.image "tests.image" $v.tests.image -}}
{{- if eq $img.repository "" -}}
{{- fail (printf "ERROR: %s.repository: is empty. Set an image repository, e.g. alpine." $path) -}}
{{- end -}}
{{- if eq $img.tag "" -}}
{{- fail (printf "ERROR: %s.tag: is empty. Set an image tag, e.g. 3.22, so the pod's image is pinned." $path) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.validateName: takes (list <key path> <value> <kind> <regexp>); fails when a
non-empty value is not a valid Kubernetes object name (DNS subdomain, at most 253 characters).
*/}}
{{- define "cross-tenant-volume.validateName" -}}
{{- $path := index . 0 -}}
{{- $value := index . 1 -}}
{{- if and (ne $value "") (or (gt (len $value) 253) (not (regexMatch (index . 3) $value))) -}}
{{- fail (printf "ERROR: %s: '%s' is not a valid %s name. Use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit." $path $value (index . 2)) -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.quantityMi: takes a size string; returns it in MiB as a decimal string, or ""
when it is not a whole number (at most 6 digits) of Mi, Gi, Ti or Pi. Helm has no quantity parser,
so the chart accepts only the forms it can compare exactly.
*/}}
{{- define "cross-tenant-volume.quantityMi" -}}
{{- $q := toString . -}}
{{- if regexMatch "^[1-9][0-9]{0,5}(Mi|Gi|Ti|Pi)$" $q -}}
{{- $number := regexFind "^[0-9]+" $q -}}
{{- $unit := trimPrefix $number $q -}}
{{- $factor := get (dict "Mi" 1 "Gi" 1024 "Ti" 1048576 "Pi" 1073741824) $unit -}}
{{- mul (int64 $number) $factor -}}
{{- end -}}
{{- end }}
