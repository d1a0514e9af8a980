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
{{- $rules := include "cross-tenant-volume.rules" . | fromYaml -}}
{{- /* The regular expressions are checkValues' own, generated into _rules.generated.tpl: none is typed here. */ -}}
{{- $re := $rules.patterns -}}

{{- /* release: the namespace is written into object names and fields (and the default PV name) */ -}}
{{- $ns := .Release.Namespace -}}
{{- if or (gt (len $ns) 63) (not (regexMatch $re.namespace $ns)) -}}
{{- fail (printf "ERROR: namespace: '%s' is not a valid Kubernetes namespace, and the chart writes it into the PV's name and claimRef. Install into a namespace of at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (helm --namespace)." $ns) -}}
{{- end -}}

{{- /* storage */ -}}
{{- if eq $s.accountName "" -}}
{{- fail "ERROR: storage.accountName: is empty. Set it to the storage account's name in the storage tenant (3-24 lowercase letters and digits)." -}}
{{- else if not (regexMatch $re.account $s.accountName) -}}
{{- fail (printf "ERROR: storage.accountName: '%s' is not a valid storage account name. Use 3-24 lowercase letters and digits only." $s.accountName) -}}
{{- end -}}
{{- if and (not $blob) (ne $s.containerName "") -}}
{{- fail "ERROR: storage.containerName: is set, but mode fileshare-nfs mounts a file share. Remove storage.containerName and set storage.shareName, or choose mode blob-fuse-wi or blob-nfs." -}}
{{- end -}}
{{- if and $blob (ne $s.shareName "") -}}
{{- fail (printf "ERROR: storage.shareName: is set, but mode %s mounts a blob container. Remove storage.shareName and set storage.containerName, or choose mode fileshare-nfs." $mode) -}}
{{- end -}}
{{- if and $blob (eq (toString $s.encryptInTransit) "true") -}}
{{- fail (printf "ERROR: storage.encryptInTransit: is true, but only mode fileshare-nfs (the Azure Files driver) takes encryptInTransit, and mode %s uses the Blob driver. Remove it, or choose mode fileshare-nfs." $mode) -}}
{{- end -}}
{{- if and (ne $s.containerName "") (or (not (regexMatch $re.container $s.containerName)) (contains "--" $s.containerName)) -}}
{{- fail (printf "ERROR: storage.containerName: '%s' is not a valid container name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit." $s.containerName) -}}
{{- end -}}
{{- if and (ne $s.shareName "") (or (not (regexMatch $re.container $s.shareName)) (contains "--" $s.shareName)) -}}
{{- fail (printf "ERROR: storage.shareName: '%s' is not a valid file share name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit." $s.shareName) -}}
{{- end -}}
{{- /* Every mode: it opens the volume handle, which may never change once the PV exists. */ -}}
{{- if eq $s.resourceGroup "" -}}
{{- fail (printf "ERROR: storage.resourceGroup: is empty, but mode %s needs it. Set it to the storage account's resource group in the storage tenant." $mode) -}}
{{- end -}}
{{- if and (ne $s.resourceGroup "") (not (regexMatch $re.resourceGroup $s.resourceGroup)) -}}
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
{{- if and (ne $value "") (not (regexMatch $re.guid $value)) -}}
{{- fail (printf "ERROR: %s: '%s' is not a GUID. Use the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (%s)." $path $value $how) -}}
{{- end -}}
{{- end -}}
{{- if not (regexMatch $re.dnsSuffix $s.endpointSuffix) -}}
{{- fail (printf "ERROR: storage.endpointSuffix: '%s' is not a DNS suffix. Use core.windows.net for Azure's public cloud, or your cloud's storage suffix." $s.endpointSuffix) -}}
{{- end -}}

{{- /* identity */ -}}
{{- if and $wi (eq $v.serviceAccount.name "") -}}
{{- fail "ERROR: serviceAccount.name: is empty, but mode blob-fuse-wi runs the pods as a named ServiceAccount that the federated credential trusts. Set it (the seed uses blob-fuse-sa)." -}}
{{- end -}}
{{- include "cross-tenant-volume.validateName" (list "serviceAccount.name" $v.serviceAccount.name "ServiceAccount" $re.objectName) -}}

{{- /* volume */ -}}
{{- $pv := $v.persistentVolume -}}
{{- include "cross-tenant-volume.validateName" (list "persistentVolume.name" $pv.name "PersistentVolume" $re.objectName) -}}
{{- $capacity := include "cross-tenant-volume.quantityMi" (list $pv.capacity $re.quantity) -}}
{{- if eq $capacity "" -}}
{{- fail (printf "ERROR: persistentVolume.capacity: '%s' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 10Gi." $pv.capacity) -}}
{{- end -}}
{{- if ne $pv.reclaimPolicy "Retain" -}}
{{- fail (printf "ERROR: persistentVolume.reclaimPolicy: '%s' is not allowed. Use Retain: the chart never lets Kubernetes delete the container or share." $pv.reclaimPolicy) -}}
{{- end -}}
{{- if eq $pv.name "" -}}
{{- $name := include "cross-tenant-volume.persistentVolumeName" . -}}
{{- if or (gt (len $name) 253) (not (regexMatch $re.objectName $name)) -}}
{{- fail (printf "ERROR: persistentVolume.name: is empty, and the name the chart would give the PV, '%s' (<seed name>-<namespace>-<release>), is not a valid PersistentVolume name. Set persistentVolume.name, or install with a lowercase namespace and release name." $name) -}}
{{- end -}}
{{- end -}}
{{- /* Mount options, split as the drivers split them: blobfuse2's argv words (a --flag, or -o and a FUSE list), NFS comma lists. */ -}}
{{- $ws := $re.whitespace -}}
{{- range $i, $option := ($pv.mountOptions | default list) -}}
{{- $where := printf "persistentVolume.mountOptions[%d]" $i -}}
{{- if $wi -}}
{{- $fuseList := false -}}
{{- range $word := regexSplit (printf "%s+" $ws) (regexReplaceAll (printf "^%s+|%s+$" $ws $ws) $option "") -1 -}}
{{- if eq $word "" -}}
{{- else if $fuseList -}}
{{- $fuseList = false -}}
{{- range $piece := splitList "," $word -}}
{{- if hasPrefix "-" $piece -}}
{{- fail (printf "ERROR: %s: %s is a flag inside a FUSE option list. Give blobfuse2 flags as separate entries, and after -o only FUSE options like allow_other." $where (include "cross-tenant-volume.quoted" (list $piece $option))) -}}
{{- end -}}
{{- end -}}
{{- else if eq $word "-o" -}}
{{- $fuseList = true -}}
{{- else if hasPrefix "--" $word -}}
{{- if has (first (splitList "=" $word)) $rules.blobfuseRefused -}}
{{- fail (printf "ERROR: %s: %s is set by the Blob CSI driver itself and refused from users. Remove it." $where (include "cross-tenant-volume.quoted" (list $word $option))) -}}
{{- end -}}
{{- else -}}
{{- fail (printf "ERROR: %s: %s is neither a blobfuse2 flag (--name=value) nor a FUSE option list (-o a,b). Write it in one of those forms." $where (include "cross-tenant-volume.quoted" (list $word $option))) -}}
{{- end -}}
{{- end -}}
{{- if $fuseList -}}
{{- fail (printf "ERROR: %s: '%s' ends with -o, which would take the driver's next option as its list. Add the FUSE options after it, like -o allow_other." $where $option) -}}
{{- end -}}
{{- else -}}
{{- range $piece := splitList "," $option -}}
{{- if regexMatch $ws $piece -}}
{{- fail (printf "ERROR: %s: %s contains whitespace, which mount would take into the option. Remove it, and give options as separate entries or a comma list." $where (include "cross-tenant-volume.quoted" (list $piece $option))) -}}
{{- else if has (first (splitList "=" $piece)) $rules.nfsRefused -}}
{{- fail (printf "ERROR: %s: %s is fixed by the %s CSI driver for NFS. Remove it." $where (include "cross-tenant-volume.quoted" (list $piece $option)) (ternary "Blob" "Azure Files" $blob)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* A custom handle must not carry the segment the drivers read as the namespace of an account-key Secret. */ -}}
{{- if ne $pv.volumeHandle "" -}}
{{- $segments := splitList "#" $pv.volumeHandle -}}
{{- if and $blob (gt (len $segments) 4) -}}
{{- fail (printf "ERROR: persistentVolume.volumeHandle: '%s' has a fifth '#' segment, which the Blob CSI driver reads as the namespace of an account-key Secret. Use at most four segments, <resourceGroup>#<account>#<container>#<id>, or leave it empty." $pv.volumeHandle) -}}
{{- else if and (not $blob) (or (gt (len $segments) 5) (and (eq (first $segments) "") (gt (len $segments) 4))) -}}
{{- fail (printf "ERROR: persistentVolume.volumeHandle: '%s' has a namespace segment, which the Azure Files CSI driver reads as the namespace of an account-key Secret. Use at most five segments with a resource group first, <resourceGroup>#<account>#<share>##<id>, or leave it empty." $pv.volumeHandle) -}}
{{- end -}}
{{- end -}}
{{- /* Attribute keys: the chart's own, key or Secret material (deny-list), then only the mode's allow-list; ASCII keys compared lower-cased as the drivers do. */ -}}
{{- $allowedAttributes := get $rules.allowedVolumeAttributes $mode -}}
{{- range $key := keys $pv.volumeAttributes | sortAlpha -}}
{{- $value := get $pv.volumeAttributes $key -}}
{{- $lower := "" -}}
{{- if regexMatch $re.asciiKey $key -}}{{- $lower = lower $key -}}{{- end -}}
{{- $own := "" -}}
{{- range $rules.chartVolumeAttributes -}}
{{- if eq (lower .) $lower -}}{{- $own = . -}}{{- end -}}
{{- end -}}
{{- $allowed := false -}}
{{- range $allowedAttributes -}}
{{- if eq (lower .) $lower -}}{{- $allowed = true -}}{{- end -}}
{{- end -}}
{{- if ne $own "" -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: duplicates the attribute %s that the chart sets (the driver compares keys case-insensitively). Remove it and set the matching storage or workloadIdentity value." $key $own) -}}
{{- else if and (ne $lower "") (include "cross-tenant-volume.isCredentialKey" (list $lower $rules)) -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: would make the driver use an account key or a Secret, which this chart never does. Remove it." $key) -}}
{{- else if hasKey (get $rules.pointlessVolumeAttributes $mode) $lower -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: %s." $key (get (get $rules.pointlessVolumeAttributes $mode) $lower)) -}}
{{- else if not $allowed -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: is not an attribute this chart passes to the driver in mode %s. Remove it, or use one of %s." $key $mode (include "cross-tenant-volume.orList" $allowedAttributes)) -}}
{{- else if and (eq $lower "mountpermissions") (not (regexMatch $re.octalMode $value)) -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: '%s' is not an octal file mode. Use 1-4 digits 0-7, like 0777, or 0 to skip the chmod of the mount root." $key $value) -}}
{{- else if and (eq $lower "fsgroupchangepolicy") (not (has $value $rules.fsGroupChangePolicies)) -}}
{{- fail (printf "ERROR: persistentVolume.volumeAttributes.%s: '%s' is not a policy the drivers accept. Use %s." $key $value (include "cross-tenant-volume.orList" $rules.fsGroupChangePolicies)) -}}
{{- end -}}
{{- end -}}

{{- /* claim */ -}}
{{- $pvc := $v.persistentVolumeClaim -}}
{{- include "cross-tenant-volume.validateName" (list "persistentVolumeClaim.name" $pvc.name "PersistentVolumeClaim" $re.objectName) -}}
{{- $claimText := include "cross-tenant-volume.claimStorage" . -}}
{{- $claim := include "cross-tenant-volume.quantityMi" (list $claimText $re.quantity) -}}
{{- if eq $claim "" -}}
{{- fail (printf "ERROR: persistentVolumeClaim.storage: '%s' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 5Gi." $pvc.storage) -}}
{{- else if and (ne $capacity "") (gt (int64 $claim) (int64 $capacity)) -}}
{{- fail (printf "ERROR: persistentVolumeClaim.storage: %s is larger than persistentVolume.capacity %s. Request at most %s, or raise persistentVolume.capacity." $claimText $pv.capacity $pv.capacity) -}}
{{- end -}}

{{- /* class and pods */ -}}
{{- include "cross-tenant-volume.validateName" (list "storageClass.name" $v.storageClass.name "StorageClass" $re.objectName) -}}
{{- $seedParameters := keys (get (include "cross-tenant-volume.modeDefaults" . | fromYaml) "storageClassParameters") -}}
{{- $allowedParameters := get $rules.allowedClassParameters $mode -}}
{{- range $key := keys $v.storageClass.parameters | sortAlpha -}}
{{- $value := get $v.storageClass.parameters $key -}}
{{- $lower := "" -}}
{{- if regexMatch $re.asciiKey $key -}}{{- $lower = lower $key -}}{{- end -}}
{{- $seed := "" -}}
{{- range $seedParameters -}}
{{- if eq (lower .) $lower -}}{{- $seed = . -}}{{- end -}}
{{- end -}}
{{- $allowed := false -}}
{{- range $allowedParameters -}}
{{- if eq (lower .) $lower -}}{{- $allowed = true -}}{{- end -}}
{{- end -}}
{{- if and (ne $lower "") (include "cross-tenant-volume.isCredentialKey" (list $lower $rules)) -}}
{{- fail (printf "ERROR: storageClass.parameters.%s: would make the driver use an account key or a Secret, which this chart never does. Remove it." $key) -}}
{{- else if not $allowed -}}
{{- fail (printf "ERROR: storageClass.parameters.%s: is not a parameter the %s driver takes without keys or Secrets. Remove it, or use one of %s." $key (include "cross-tenant-volume.driver" $) (include "cross-tenant-volume.orList" $allowedParameters)) -}}
{{- else if and (ne $seed "") (ne $seed $key) -}}
{{- fail (printf "ERROR: storageClass.parameters.%s: spells the chart's parameter %s in another case, and the driver would read both. Write it as %s." $key $seed $seed) -}}
{{- else if and (eq $lower "protocol") (not (has $value (get $rules.classProtocols $mode))) -}}
{{- fail (printf "ERROR: storageClass.parameters.%s: '%s' is not a protocol of mode %s. Use %s, or remove it." $key $value $mode (include "cross-tenant-volume.orList" (get $rules.classProtocols $mode))) -}}
{{- end -}}
{{- end -}}
{{- include "cross-tenant-volume.validateName" (list "demo.name" $v.demo.name "Pod" $re.objectName) -}}
{{- if not (regexMatch $re.mountPath $v.pods.mountPath) -}}
{{- fail (printf "ERROR: pods.mountPath: '%s' is not an absolute path below / made of letters, digits and . _ - + @. Use a path like /mnt/azure." $v.pods.mountPath) -}}
{{- end -}}
{{- range $path, $img := dict "demo.image" $v.demo.image "tests.image" $v.tests.image -}}
{{- if eq $img.repository "" -}}
{{- fail (printf "ERROR: %s.repository: is empty. Set an image repository, e.g. %s." $path $rules.defaultImage.repository) -}}
{{- end -}}
{{- if eq $img.tag "" -}}
{{- fail (printf "ERROR: %s.tag: is empty. Set an image tag, e.g. %s, so the pod's image is pinned." $path $rules.defaultImage.tag) -}}
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
cross-tenant-volume.quantityMi: takes (list <size> <the quantity pattern>); returns the size in MiB as a decimal
string, or "" when it is not a whole number (at most 6 digits) of Mi, Gi, Ti or Pi. Helm has no quantity parser,
so the chart accepts only the forms it can compare exactly. The pattern's groups are the number and the unit.
*/}}
{{- define "cross-tenant-volume.quantityMi" -}}
{{- $q := toString (index . 0) -}}
{{- $pattern := index . 1 -}}
{{- if regexMatch $pattern $q -}}
{{- $number := regexReplaceAll $pattern $q "${1}" -}}
{{- $unit := regexReplaceAll $pattern $q "${2}" -}}
{{- $factor := get (dict "Mi" 1 "Gi" 1024 "Ti" 1048576 "Pi" 1073741824) $unit -}}
{{- mul (int64 $number) $factor -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.quoted: takes (list <piece> <option>); names a piece of a mount option for a message:
'<option>' when the piece is the whole option, else '<piece>' in '<option>'.
*/}}
{{- define "cross-tenant-volume.quoted" -}}
{{- if eq (index . 0) (index . 1) -}}
{{- printf "'%s'" (index . 1) -}}
{{- else -}}
{{- printf "'%s' in '%s'" (index . 0) (index . 1) -}}
{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.isCredentialKey: takes (list <lower-cased key> <rules>); returns "true" when the key
names key or Secret material (one of the listed keys, or containing a listed fragment such as "secret").
*/}}
{{- define "cross-tenant-volume.isCredentialKey" -}}
{{- $lower := index . 0 -}}
{{- $rules := index . 1 -}}
{{- $hit := has $lower $rules.credentialKeys -}}
{{- range $rules.credentialFragments -}}
{{- if contains . $lower -}}{{- $hit = true -}}{{- end -}}
{{- end -}}
{{- if $hit -}}true{{- end -}}
{{- end }}

{{/*
cross-tenant-volume.orList: takes a list of strings; returns them as "a, b or c".
*/}}
{{- define "cross-tenant-volume.orList" -}}
{{- if le (len .) 1 -}}
{{- join "" . -}}
{{- else -}}
{{- printf "%s or %s" (initial . | join ", ") (last .) -}}
{{- end -}}
{{- end }}
