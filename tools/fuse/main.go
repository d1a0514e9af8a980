// A passthrough FUSE file system for the mock blob CSI driver: it serves a host directory at a
// mount point, like blobfuse2 serves a container, and fails every operation with EIO once the
// workload identity token behind the mount has expired without a refresh, as blobfuse2 does. Like
// blobfuse2 it answers listings with an empty directory for --cancel-list-on-mount-seconds after mounting,
// and serves a file it downloaded from its file cache, without Storage, until the cache timeout runs out.
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

// gate answers "may this operation reach storage?" from two files the driver rewrites: the token's
// expiry (one per clientID+account, renewed by republish) and the data actions the identity's roles
// grant on the container right now (Azure checks data-plane RBAC on every request).
type gate struct {
	path       string
	grantsPath string
	mu         sync.Mutex
	checked    time.Time
	expiry     time.Time
	grants     map[string]bool
	logged     bool
	deniedLog  map[string]bool
	// blobfuse2's --cancel-list-on-mount-seconds: until then listings answer empty without Storage.
	listUntil time.Time
	// blobfuse2's --file-cache-timeout-in-seconds: a downloaded file is served locally, without Storage, this long.
	cacheTimeout time.Duration
	// By inode number: a path can go stale (an orphaned node's path is "", the root's).
	cached map[uint64]time.Time
}

// listBlocked reports whether blobfuse2 would still answer listings with an empty directory
// (component/azstorage/azstorage.go ReadDir/StreamDir while listBlocked).
func (g *gate) listBlocked() bool {
	return time.Now().Before(g.listUntil)
}

// fromCache reports whether blobfuse2's file cache still holds the file it downloaded less than
// --file-cache-timeout-in-seconds ago (component/file_cache/file_cache.go isDownloadRequired), so
// opening or looking it up needs no request to Storage.
func (g *gate) fromCache(ino uint64) bool {
	if g.cacheTimeout <= 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.cached[ino]
	return ok && time.Since(t) < g.cacheTimeout
}

// remember records a download into the file cache (a successful open).
func (g *gate) remember(ino uint64) {
	if g.cacheTimeout <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t, ok := g.cached[ino]; !ok || time.Since(t) >= g.cacheTimeout {
		g.cached[ino] = time.Now()
	}
}

// Data actions, as the driver writes them to the grants file.
const (
	actRead   = "read"
	actWrite  = "write"
	actDelete = "delete"
	actList   = "list"
)

func (g *gate) deny(actions ...string) syscall.Errno {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	// Re-read at most every 200 ms: cheap, yet a refreshed token or a changed role takes effect at once in practice.
	if now.Sub(g.checked) > 200*time.Millisecond {
		g.checked = now
		g.expiry = readExpiry(g.path)
		if g.grantsPath != "" {
			g.grants = readGrants(g.grantsPath)
		}
	}
	if !now.Before(g.expiry) {
		if !g.logged {
			g.logged = true
			fmt.Fprintf(os.Stderr, "token expired at %s and was not refreshed; failing file operations with EIO\n", g.expiry.UTC().Format(time.RFC3339))
		}
		return syscall.EIO
	}
	g.logged = false
	if g.grants == nil {
		return 0
	}
	for _, a := range actions {
		if !g.grants[a] {
			if !g.deniedLog[a] {
				g.deniedLog[a] = true
				fmt.Fprintf(os.Stderr, "403 AuthorizationPermissionMismatch: the identity's roles grant no '%s' data action on the container; failing with EACCES\n", a)
			}
			return syscall.EACCES
		}
	}
	return 0
}

// readGrants parses the space-separated data actions; an unreadable file grants nothing.
func readGrants(path string) map[string]bool {
	grants := map[string]bool{}
	data, err := os.ReadFile(path)
	if err != nil {
		return grants
	}
	for _, a := range strings.Fields(string(data)) {
		grants[a] = true
	}
	return grants
}

// view is how blobfuse2 presents a flat-namespace container: owner from -o uid/gid (else the mounting
// user), permissions 0777 with -o allow_other (else 0755 for files, 0775 for directories), less -o umask.
type view struct {
	uid, gid   *uint32
	umask      uint32
	allowOther bool
}

func (v *view) fix(a *fuse.Attr) {
	if v.uid != nil {
		a.Uid = *v.uid
	} else {
		a.Uid = uint32(os.Getuid())
	}
	if v.gid != nil {
		a.Gid = *v.gid
	} else {
		a.Gid = uint32(os.Getgid())
	}
	perm := uint32(0o777)
	if !v.allowOther {
		perm = 0o755
		if a.Mode&syscall.S_IFMT == syscall.S_IFDIR {
			perm = 0o775
		}
	}
	a.Mode = (a.Mode &^ 0o7777) | (perm &^ v.umask)
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
	view *view
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if e := n.gate.deny(); e != 0 {
		return e
	}
	return n.LoopbackNode.Statfs(ctx, out)
}

// Lookup looks at the local file first (no Storage involved) so that a file in the file cache is
// found by its inode; anything else asks Storage.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	inode, errno := n.LoopbackNode.Lookup(ctx, name, out)
	if errno != 0 || !n.gate.fromCache(inode.StableAttr().Ino) {
		if e := n.gate.deny(actRead); e != 0 {
			return nil, e
		}
	}
	n.view.fix(&out.Attr)
	return inode, errno
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(actWrite); e != 0 {
		return nil, e
	}
	inode, errno := n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
	n.view.fix(&out.Attr)
	return inode, errno
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(actWrite); e != 0 {
		return nil, e
	}
	inode, errno := n.LoopbackNode.Mkdir(ctx, name, mode, out)
	n.view.fix(&out.Attr)
	return inode, errno
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if e := n.gate.deny(actDelete); e != 0 {
		return e
	}
	return n.LoopbackNode.Rmdir(ctx, name)
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if e := n.gate.deny(actDelete); e != 0 {
		return e
	}
	return n.LoopbackNode.Unlink(ctx, name)
}

// Rename copies the blob to its new name and deletes the old one: both actions.
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if e := n.gate.deny(actWrite, actDelete); e != 0 {
		return e
	}
	return n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
}

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if e := n.gate.deny(actWrite); e != 0 {
		return nil, nil, 0, e
	}
	inode, fh, fuseFlags, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	if errno != 0 {
		return inode, fh, fuseFlags, errno
	}
	n.view.fix(&out.Attr)
	return inode, &file{inner: fh, gate: n.gate, view: n.view, writable: true}, fuseFlags | fuse.FOPEN_DIRECT_IO, 0
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(actWrite); e != 0 {
		return nil, e
	}
	inode, errno := n.LoopbackNode.Symlink(ctx, target, name, out)
	n.view.fix(&out.Attr)
	return inode, errno
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.gate.deny(actWrite); e != 0 {
		return nil, e
	}
	inode, errno := n.LoopbackNode.Link(ctx, target, name, out)
	n.view.fix(&out.Attr)
	return inode, errno
}

func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	if e := n.gate.deny(actRead); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Readlink(ctx)
}

// writes reports whether open(2) flags ask for writing (or truncation).
func writes(flags uint32) bool {
	return flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC|syscall.O_APPEND) != 0
}

// Open turns off the page cache (direct I/O) so that every read reaches the gate, as every
// blobfuse2 read without a file cache reaches Azure Storage.
// With a file cache, a file opened for reading that blobfuse2 downloaded less than the cache timeout ago
// opens without Storage, and reads on a handle come from the local copy.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	action := actRead
	if writes(flags) {
		action = actWrite
	}
	ino := n.StableAttr().Ino
	if action == actWrite || !n.gate.fromCache(ino) {
		if e := n.gate.deny(action); e != 0 {
			return nil, 0, e
		}
	}
	fh, fuseFlags, errno := n.LoopbackNode.Open(ctx, flags)
	if errno != 0 {
		return fh, fuseFlags, errno
	}
	n.gate.remember(ino)
	return &file{inner: fh, gate: n.gate, view: n.view, writable: writes(flags), local: n.gate.cacheTimeout > 0}, fuseFlags | fuse.FOPEN_DIRECT_IO, 0
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if n.gate.listBlocked() {
		return fs.NewListDirStream(nil), 0, 0
	}
	if e := n.gate.deny(actList); e != 0 {
		return nil, 0, e
	}
	return n.LoopbackNode.OpendirHandle(ctx, flags)
}

func (n *node) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	if e := n.gate.deny(actList); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Readdir(ctx)
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if !n.gate.fromCache(n.StableAttr().Ino) {
		if e := n.gate.deny(actRead); e != 0 {
			return e
		}
	}
	errno := n.LoopbackNode.Getattr(ctx, unwrap(f), out)
	n.view.fix(&out.Attr)
	return errno
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := n.gate.deny(actWrite); e != 0 {
		return e
	}
	errno := n.LoopbackNode.Setattr(ctx, unwrap(f), in, out)
	n.view.fix(&out.Attr)
	return errno
}

func (n *node) Statx(ctx context.Context, f fs.FileHandle, flags uint32, mask uint32, out *fuse.StatxOut) syscall.Errno {
	// No Statx answer: the kernel falls back to Getattr, which presents the blobfuse2 view.
	return syscall.ENOSYS
}

func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	if e := n.gate.deny(actRead); e != 0 {
		return 0, e
	}
	return n.LoopbackNode.Getxattr(ctx, attr, dest)
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if e := n.gate.deny(actWrite); e != 0 {
		return e
	}
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

func (n *node) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	if e := n.gate.deny(actRead); e != 0 {
		return 0, e
	}
	return n.LoopbackNode.Listxattr(ctx, dest)
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	if e := n.gate.deny(actWrite); e != 0 {
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
// token expired (or a role was removed) fail afterwards too.
type file struct {
	inner    fs.FileHandle
	gate     *gate
	view     *view
	writable bool
	// local: blobfuse2's file cache holds the file, so reads on this handle never reach Storage.
	local bool
}

func unwrap(f fs.FileHandle) fs.FileHandle {
	if w, ok := f.(*file); ok {
		return w.inner
	}
	return f
}

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if f.local {
		return f.inner.(fs.FileReader).Read(ctx, dest, off)
	}
	if e := f.gate.deny(actRead); e != 0 {
		return nil, e
	}
	return f.inner.(fs.FileReader).Read(ctx, dest, off)
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	if e := f.gate.deny(actWrite); e != 0 {
		return 0, e
	}
	return f.inner.(fs.FileWriter).Write(ctx, data, off)
}

// Flush uploads what was written, so it needs 'write' on handles opened for writing only.
func (f *file) Flush(ctx context.Context) syscall.Errno {
	var e syscall.Errno
	if f.writable {
		e = f.gate.deny(actWrite)
	} else if !f.local {
		e = f.gate.deny()
	}
	if e != 0 {
		// Still release the descriptor's flush so the underlying file is consistent.
		_ = f.inner.(fs.FileFlusher).Flush(ctx)
		return e
	}
	return f.inner.(fs.FileFlusher).Flush(ctx)
}

func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if e := f.gate.deny(actWrite); e != 0 {
		return e
	}
	return f.inner.(fs.FileFsyncer).Fsync(ctx, flags)
}

func (f *file) Release(ctx context.Context) syscall.Errno {
	return f.inner.(fs.FileReleaser).Release(ctx)
}

func (f *file) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	if !f.local {
		if e := f.gate.deny(actRead); e != 0 {
			return e
		}
	}
	errno := f.inner.(fs.FileGetattrer).Getattr(ctx, out)
	f.view.fix(&out.Attr)
	return errno
}

func (f *file) Setattr(ctx context.Context, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := f.gate.deny(actWrite); e != 0 {
		return e
	}
	errno := f.inner.(fs.FileSetattrer).Setattr(ctx, in, out)
	f.view.fix(&out.Attr)
	return errno
}

func (f *file) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	if !f.local {
		if e := f.gate.deny(actRead); e != 0 {
			return 0, e
		}
	}
	return f.inner.(fs.FileLseeker).Lseek(ctx, off, whence)
}

func (f *file) Allocate(ctx context.Context, off uint64, size uint64, mode uint32) syscall.Errno {
	if e := f.gate.deny(actWrite); e != 0 {
		return e
	}
	return f.inner.(fs.FileAllocater).Allocate(ctx, off, size, mode)
}

// optionalID parses a -o uid=/gid= value passed on; "" means not given.
func optionalID(raw string) *uint32 {
	if raw == "" {
		return nil
	}
	v, err := strconv.ParseUint(raw, 10, 32)
	if err != nil {
		fmt.Fprintf(os.Stderr, "invalid id %q: %v\n", raw, err)
		os.Exit(2)
	}
	id := uint32(v)
	return &id
}

func main() {
	source := flag.String("source", "", "host directory that backs the mount (the simulated container)")
	target := flag.String("target", "", "mount point (the CSI target path)")
	expiryFile := flag.String("expiry-file", "", "file holding the token's expiry as Unix seconds")
	grantsFile := flag.String("grants-file", "", "file holding the data actions the identity holds (read write delete list); none: all")
	allowOther := flag.Bool("allow-other", false, "let users other than the mounting one in (blobfuse2's -o allow_other)")
	readOnly := flag.Bool("read-only", false, "mount read-only (blobfuse2's -o ro)")
	uid := flag.String("uid", "", "owner shown for every file (-o uid=)")
	gid := flag.String("gid", "", "group shown for every file (-o gid=)")
	umask := flag.String("umask", "0", "permission bits taken away from 0777 (-o umask=)")
	cancelList := flag.Int("cancel-list-seconds", 0, "answer listings with an empty directory for this long after mounting (--cancel-list-on-mount-seconds)")
	cacheTimeout := flag.Int("file-cache-timeout", 0, "serve a file opened before without Storage for this long (--file-cache-timeout-in-seconds)")
	flag.Parse()
	if *source == "" || *target == "" || *expiryFile == "" {
		fmt.Fprintln(os.Stderr, "usage: ctv-fuse --source DIR --target DIR --expiry-file FILE [--grants-file FILE] [--allow-other] [--read-only] [--uid N] [--gid N] [--umask OCTAL]")
		os.Exit(2)
	}
	mask, err := strconv.ParseUint(*umask, 8, 32)
	if err != nil {
		fmt.Fprintf(os.Stderr, "invalid umask %q: %v\n", *umask, err)
		os.Exit(2)
	}
	v := &view{uid: optionalID(*uid), gid: optionalID(*gid), umask: uint32(mask) & 0o777, allowOther: *allowOther}

	var st syscall.Stat_t
	if err := syscall.Stat(*source, &st); err != nil {
		fmt.Fprintf(os.Stderr, "cannot stat source %s: %v\n", *source, err)
		os.Exit(1)
	}
	g := &gate{
		path:         *expiryFile,
		grantsPath:   *grantsFile,
		deniedLog:    map[string]bool{},
		listUntil:    time.Now().Add(time.Duration(*cancelList) * time.Second),
		cacheTimeout: time.Duration(*cacheTimeout) * time.Second,
		cached:       map[uint64]time.Time{},
	}
	root := &fs.LoopbackRoot{Path: *source, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: r}, gate: g, view: v}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)

	// Zero cache timeouts: the kernel asks the gate for every lookup and attribute.
	zero := time.Duration(0)
	server, err := fs.Mount(*target, root.RootNode, &fs.Options{
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			// Like blobfuse2: without -o allow_other only the mounting user (root) may enter, and the
			// kernel answers EACCES to everyone else, such as a pod running as UID 1000.
			AllowOther:        *allowOther,
			Options:           mountOptions(*readOnly),
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

func mountOptions(readOnly bool) []string {
	if readOnly {
		return []string{"ro"}
	}
	return nil
}
