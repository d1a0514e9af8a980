// Command kube-node-tools is one multi-call binary holding kubeadm and kubectl for the kind node
// image, built from the same k8s.io/kubernetes module (and Go build cache) as tools/kube. The tool
// is chosen by the name it is invoked as (the node image links /usr/bin/kubeadm and
// /usr/bin/kubectl to it), or by the first argument: `kube-node-tools kubeadm version`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	kubeadm "k8s.io/kubernetes/cmd/kubeadm/app"
	kubeadmerrors "k8s.io/kubernetes/cmd/kubeadm/app/util/errors"
)

func runKubectl() {
	logs.GlogSetter(kubectl.GetLogVerbosity(os.Args)) // nolint:errcheck
	if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
		kubectlutil.CheckErr(err)
	}
}

func main() {
	name := filepath.Base(os.Args[0])
	if name != "kubeadm" && name != "kubectl" && len(os.Args) > 1 {
		// Called as kube-node-tools <tool> ...: drop the binary's own name so each tool parses its flags.
		name = os.Args[1]
		os.Args = os.Args[1:]
	}
	switch name {
	case "kubeadm":
		kubeadmerrors.HandleError(kubeadm.Run())
	case "kubectl":
		runKubectl()
	default:
		fmt.Fprintln(os.Stderr, "usage: kube-node-tools kubeadm|kubectl [args]")
		os.Exit(2)
	}
}
