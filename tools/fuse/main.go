// A passthrough FUSE file system for the mock blob CSI driver: it serves a host directory at a
// mount point, like blobfuse2 serves a container, and fails every operation with EIO once the
// workload identity token behind the mount has expired without a refresh, as blobfuse2 does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// gate answers "may this operation reach storage?" from the expiry file the driver rewrites on
// every NodePublishVolume, so a republish with a fresh token reopens the mount.
type gate struct {
	path    string
	mu      sync.Mutex
	checked time.Time
	expiry  time.Time
	logged  bool
}

func (g *gate) deny() syscall.Errno {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	// Re-read at most every 200 ms: cheap, yet a refreshed token takes effect at once in practice.
	if now.Sub(g.checked) > 200*time.Millisecond {
		g.checked = now
		g.expiry = readExpiry(g.path)
	}
	if now.Before(g.expiry) {
		g.logged = false
		return 0
	}
	if !g.logged {
		g.logged = true
		fmt.Fprintf(os.Stderr, "token expired at %s and was not refreshed; failing file operations with EIO\n", g.expiry.UTC().Format(time.RFC3339))
	}
	return syscall.EIO
}

// readExpiry parses the file's Unix time in seconds; an unreadable file counts as expired, so a
// lost token can never leave a mount open.
func readExpiry(path string) time.Time {
	data, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(secs, 0)
}

type node struct {
	fs.LoopbackNode
	gate *gate
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Statfs(ctx, out)
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Lookup(ctx, name, out)
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Mkdir(ctx, name, mode, out)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Rmdir(ctx, name)
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Unlink(ctx, name)
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
}

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, nil, 0, e
	}
	inode, fh, fuseFlags, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	if errno != 0 {
		return inode, fh, fuseFlags, errno
	}
	return inode, &file{inner: fh, gate: n.gate}, fuseFlags | fuse.FOPEN_DIRECT_IO, 0
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Link(ctx, target, name, out)
}

func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Readlink(ctx)
}

// Open turns off the page cache (direct I/O) so that every read reaches the gate, as every
// blobfuse2 read without a file cache reaches Azure Storage.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, 0, e
	}
	fh, fuseFlags, errno := n.LoopbackNode.Open(ctx, flags)
	if errno != 0 {
		return fh, fuseFlags, errno
	}
	return &file{inner: fh, gate: n.gate}, fuseFlags | fuse.FOPEN_DIRECT_IO, 0
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, 0, e
	}
	return n.LoopbackNode.OpendirHandle(ctx, flags)
}

func (n *node) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Readdir(ctx)
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Getattr(ctx, unwrap(f), out)
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Setattr(ctx, unwrap(f), in, out)
}

func (n *node) Statx(ctx context.Context, f fs.FileHandle, flags uint32, mask uint32, out *fuse.StatxOut) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Statx(ctx, unwrap(f), flags, mask, out)
}

func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return 0, e
	}
	return n.LoopbackNode.Getxattr(ctx, attr, dest)
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

func (n *node) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	if e := n.gate.deny(); e != 0 {
		return 0, e
	}
	return n.LoopbackNode.Listxattr(ctx, dest)
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Removexattr(ctx, attr)
}

func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, length uint64, flags uint64) (uint32, syscall.Errno) {
	// Copying in the kernel would bypass the gate on the open handles; let the caller fall back
	// to read and write, which the gate sees.
	return 0, syscall.ENOTSUP
}

// file wraps an open file of the loopback so reads and writes on a handle opened before the
// token expired fail afterwards too.
type file struct {
	inner fs.FileHandle
	gate  *gate
}

func unwrap(f fs.FileHandle) fs.FileHandle {
	if w, ok := f.(*file); ok {
		return w.inner
	}
	return f
}

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if e := f.gate.deny(); e != 0 {
		return nil, e
	}
	return f.inner.(fs.FileReader).Read(ctx, dest, off)
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if e := f.gate.deny(); e != 0 {
		return 0, e
	}
	return f.inner.(fs.FileWriter).Write(ctx, data, off)
}

func (f *file) Flush(ctx context.Context) syscall.Errno {
	if e := f.gate.deny(); e != 0 {
		// Still release the descriptor's flush so the underlying file is consistent.
		_ = f.inner.(fs.FileFlusher).Flush(ctx)
		return e
	}
	return f.inner.(fs.FileFlusher).Flush(ctx)
}

func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if e := f.gate.deny(); e != 0 {
		return e
	}
	return f.inner.(fs.FileFsyncer).Fsync(ctx, flags)
}

func (f *file) Release(ctx context.Context) syscall.Errno {
	return f.inner.(fs.FileReleaser).Release(ctx)
}

func (f *file) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	if e := f.gate.deny(); e != 0 {
		return e
	}
	return f.inner.(fs.FileGetattrer).Getattr(ctx, out)
}

func (f *file) Setattr(ctx context.Context, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := f.gate.deny(); e != 0 {
		return e
	}
	return f.inner.(fs.FileSetattrer).Setattr(ctx, in, out)
}

func (f *file) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	if e := f.gate.deny(); e != 0 {
		return 0, e
	}
	return f.inner.(fs.FileLseeker).Lseek(ctx, off, whence)
}

func (f *file) Allocate(ctx context.Context, off uint64, size uint64, mode uint32) syscall.Errno {
	if e := f.gate.deny(); e != 0 {
		return e
	}
	return f.inner.(fs.FileAllocater).Allocate(ctx, off, size, mode)
}

func main() {
	source := flag.String("source", "", "host directory that backs the mount (the simulated container)")
	target := flag.String("target", "", "mount point (the CSI target path)")
	expiryFile := flag.String("expiry-file", "", "file holding the token's expiry as Unix seconds")
	flag.Parse()
	if *source == "" || *target == "" || *expiryFile == "" {
		fmt.Fprintln(os.Stderr, "usage: ctv-fuse --source DIR --target DIR --expiry-file FILE")
		os.Exit(2)
	}

	var st syscall.Stat_t
	if err := syscall.Stat(*source, &st); err != nil {
		fmt.Fprintf(os.Stderr, "cannot stat source %s: %v\n", *source, err)
		os.Exit(1)
	}
	g := &gate{path: *expiryFile}
	root := &fs.LoopbackRoot{Path: *source, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: r}, gate: g}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)

	// Zero cache timeouts: the kernel asks the gate for every lookup and attribute.
	zero := time.Duration(0)
	server, err := fs.Mount(*target, root.RootNode, &fs.Options{
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			AllowOther:        true,
			DirectMountStrict: true,
			FsName:            "ctv-mock-blobfuse2",
			Name:              "blobfuse2",
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mount %s on %s failed: %v\n", *source, *target, err)
		os.Exit(1)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		_ = server.Unmount()
	}()
	// The driver waits for this line before it answers NodePublishVolume.
	fmt.Println("ready")
	server.Wait()
}
