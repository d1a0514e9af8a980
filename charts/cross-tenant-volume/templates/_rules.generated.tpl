{{/*
cross-tenant-volume.rules: takes nothing; returns (as YAML) what templates/_validate.tpl checks with: the
regular expressions of its rules, the attribute keys and StorageClass parameters that name key or Secret
material, the ones a user may set per mode, and the mount options the drivers refuse.
GENERATED from tools/src/schema/chart-rules.ts by `npm run gen`: do not edit.
*/}}
{{- define "cross-tenant-volume.rules" -}}
patterns:
  namespace: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
  account: ^[a-z0-9]{3,24}$
  container: ^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$
  resourceGroup: ^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$
  guid: ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$
  dnsSuffix: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$
  objectName: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
  quantity: ^([1-9][0-9]{0,5})(Mi|Gi|Ti|Pi)$
  whitespace: '[\t\n\v\f\r ]'
  asciiKey: ^[!-~]+$
  octalMode: ^[0-7]{1,4}$
  mountPath: ^(/[-A-Za-z0-9._@+]+)+/?$
defaultImage:
  repository: alpine
  tag: '3.22'
chartVolumeAttributes:
  - mountWithWorkloadIdentityToken
  - storageaccount
  - containerName
  - clientID
  - resourcegroup
  - tenantID
  - subscriptionid
  - shareName
  - storageEndpointSuffix
  - protocol
  - encryptInTransit
credentialKeys:
  - secretname
  - secretnamespace
  - keyvaulturl
  - keyvaultsecretname
  - keyvaultsecretversion
  - accountname
  - accountkey
  - storageaccountkey
  - azurestorageaccountname
  - azurestorageaccountkey
  - azurestorageaccountsastoken
  - sastoken
  - msisecret
  - azurestoragespnclientid
  - azurestoragespntenantid
  - azurestoragespnclientsecret
  - azurestorageauthtype
  - getaccountkeyfromsecret
  - getlatestaccountkey
  - storeaccountkey
  - usesecretcache
  - allowsharedkeyaccess
  - mountwithmanagedidentity
  - mountwithoauthtoken
  - csi.storage.k8s.io/serviceaccount.tokens
  - csi.storage.k8s.io/pvc/namespace
credentialFragments:
  - secret
  - sastoken
  - accountkey
allowedVolumeAttributes:
  blob-fuse-wi:
    - server
    - isHnsEnabled
  fileshare-nfs:
    - mountPermissions
    - fsGroupChangePolicy
    - server
    - folderName
  blob-nfs:
    - mountPermissions
    - fsGroupChangePolicy
    - server
pointlessVolumeAttributes:
  blob-fuse-wi:
    mountpermissions: 'does nothing in mode blob-fuse-wi: the Blob CSI driver chmods the directory blobfuse2 then mounts over, so the mount root shows blobfuse2''s own modes (0777 with -o allow_other). Remove it, or add -o umask=<octal> to persistentVolume.mountOptions'
    fsgroupchangepolicy: 'does nothing in mode blob-fuse-wi: the Blob CSI driver hands the pod''s fsGroup to blobfuse2 as -o gid= and changes no ownership on this path. Remove it'
  fileshare-nfs: {}
  blob-nfs: {}
allowedClassParameters:
  blob-fuse-wi:
    - skuName
    - storageAccountType
    - location
    - resourceGroup
    - subscriptionID
    - storageAccount
    - protocol
    - server
    - tags
    - matchTags
    - tagValueDelimiter
    - accessTier
    - networkEndpointType
    - vnetResourceGroup
    - vnetName
    - vnetLinkName
    - subnetName
    - privateDnsZoneResourceGroup
    - publicNetworkAccess
    - requireInfraEncryption
    - storageEndpointSuffix
    - mountPermissions
    - fsGroupChangePolicy
    - useDataPlaneAPI
    - containerName
    - containerNamePrefix
    - isHnsEnabled
    - softDeleteBlobs
    - softDeleteContainers
    - enableBlobVersioning
  blob-nfs:
    - skuName
    - storageAccountType
    - location
    - resourceGroup
    - subscriptionID
    - storageAccount
    - protocol
    - server
    - tags
    - matchTags
    - tagValueDelimiter
    - accessTier
    - networkEndpointType
    - vnetResourceGroup
    - vnetName
    - vnetLinkName
    - subnetName
    - privateDnsZoneResourceGroup
    - publicNetworkAccess
    - requireInfraEncryption
    - storageEndpointSuffix
    - mountPermissions
    - fsGroupChangePolicy
    - useDataPlaneAPI
    - containerName
    - containerNamePrefix
    - isHnsEnabled
    - softDeleteBlobs
    - softDeleteContainers
    - enableBlobVersioning
  fileshare-nfs:
    - skuName
    - storageAccountType
    - location
    - resourceGroup
    - subscriptionID
    - storageAccount
    - protocol
    - server
    - tags
    - matchTags
    - tagValueDelimiter
    - accessTier
    - networkEndpointType
    - vnetResourceGroup
    - vnetName
    - vnetLinkName
    - subnetName
    - privateDnsZoneResourceGroup
    - publicNetworkAccess
    - requireInfraEncryption
    - storageEndpointSuffix
    - mountPermissions
    - fsGroupChangePolicy
    - useDataPlaneAPI
    - shareName
    - shareNamePrefix
    - shareAccessTier
    - accountAccessTier
    - rootSquashType
    - folderName
    - enableLargeFileShares
    - provisionedBandwidth
    - provisionedIops
    - disableDeleteRetentionPolicy
classProtocols:
  blob-fuse-wi:
    - fuse
    - fuse2
  fileshare-nfs:
    - nfs
  blob-nfs:
    - nfs
blobfuseRefused:
  - '--tmp-path'
  - '--config-file'
  - '--container-name'
  - '--log-file-path'
  - '--block-cache-path'
  - '--passphrase'
  - '--secure-config'
nfsRefused:
  - vers
  - minorversion
  - sec
fsGroupChangePolicies:
  - OnRootMismatch
  - Always
  - None
{{- end }}
