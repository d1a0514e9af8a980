// Command etcd is the etcd server, built from the go.etcd.io/etcd/server/v3 module at the version
// kubeadm v1.34 deploys, for the kind node image's preloaded registry.k8s.io/etcd image.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
