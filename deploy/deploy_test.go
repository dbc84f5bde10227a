package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/opencontainers/go-digest"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/pmsync/pmsync/config"
)

const manifestDir = "kubernetes"

// strictDecode decodes one YAML object into out, failing on unknown or
// duplicate fields.
func strictDecode(data []byte, out any) error {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the object")
	}
	return nil
}

func readManifest(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(manifestDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadCronJob(t *testing.T) *batchv1.CronJob {
	t.Helper()
	var cj batchv1.CronJob
	if err := strictDecode(readManifest(t, "base/cronjob.yaml"), &cj); err != nil {
		t.Fatalf("cronjob.yaml: %v", err)
	}
	return &cj
}

func loadConfigMap(t *testing.T) *corev1.ConfigMap {
	t.Helper()
	var cm corev1.ConfigMap
	if err := strictDecode(readManifest(t, "configmap.yaml"), &cm); err != nil {
		t.Fatalf("configmap.yaml: %v", err)
	}
	return &cm
}

// TestManifestsDecodeStrictly decodes every manifest into its k8s.io/api
// type; a misspelt or misplaced field fails.
func TestManifestsDecodeStrictly(t *testing.T) {
	tests := []struct {
		file string
		kind string
		obj  any
	}{
		{"base/cronjob.yaml", "CronJob", &batchv1.CronJob{}},
		{"configmap.yaml", "ConfigMap", &corev1.ConfigMap{}},
		{"github-only/configmap.yaml", "ConfigMap", &corev1.ConfigMap{}},
		{"secret.example.yaml", "Secret", &corev1.Secret{}},
		{"base/serviceaccount.yaml", "ServiceAccount", &corev1.ServiceAccount{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readManifest(t, tt.file)
			if err := strictDecode(data, tt.obj); err != nil {
				t.Fatalf("strict decode: %v", err)
			}
			var meta struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal(data, &meta); err != nil {
				t.Fatal(err)
			}
			if meta.Kind != tt.kind || meta.Metadata.Name == "" {
				t.Errorf("kind %q name %q, want kind %q and a name", meta.Kind, meta.Metadata.Name, tt.kind)
			}
		})
	}

	// Every YAML file in the folders is covered above or is a kustomization.
	err := filepath.WalkDir(manifestDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n, _ := filepath.Rel(manifestDir, p)
		n = filepath.ToSlash(n)
		if d.Name() == "kustomization.yaml" || !strings.HasSuffix(n, ".yaml") {
			return nil
		}
		if !slices.ContainsFunc(tests, func(tt struct {
			file string
			kind string
			obj  any
		}) bool {
			return tt.file == n
		}) {
			t.Errorf("%s is not decoded by this test", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("unknown field fails", func(t *testing.T) {
		bad := []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\nautomountServiceAccountTokn: false\n")
		if err := strictDecode(bad, &corev1.ServiceAccount{}); err == nil {
			t.Error("strictDecode accepted an unknown field")
		}
	})
}

func TestCronJob(t *testing.T) {
	cj := loadCronJob(t)
	js := cj.Spec.JobTemplate.Spec
	pod := js.Template.Spec

	if cj.Spec.Schedule == "" {
		t.Error("schedule is empty")
	}
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("concurrencyPolicy = %q, want Forbid", cj.Spec.ConcurrencyPolicy)
	}
	positive := []struct {
		name string
		val  *int64
	}{
		{"startingDeadlineSeconds", cj.Spec.StartingDeadlineSeconds},
		{"jobTemplate.activeDeadlineSeconds", js.ActiveDeadlineSeconds},
		{"terminationGracePeriodSeconds", pod.TerminationGracePeriodSeconds},
	}
	for _, p := range positive {
		if p.val == nil || *p.val <= 0 {
			t.Errorf("%s must be set and positive", p.name)
		}
	}
	if g := pod.TerminationGracePeriodSeconds; g != nil && *g <= 20 {
		t.Errorf("terminationGracePeriodSeconds = %d, must exceed pmsync's 20 s drain", *g)
	}
	set32 := []struct {
		name string
		val  *int32
	}{
		{"successfulJobsHistoryLimit", cj.Spec.SuccessfulJobsHistoryLimit},
		{"failedJobsHistoryLimit", cj.Spec.FailedJobsHistoryLimit},
		{"backoffLimit", js.BackoffLimit},
		{"ttlSecondsAfterFinished", js.TTLSecondsAfterFinished},
	}
	for _, p := range set32 {
		if p.val == nil {
			t.Errorf("%s must be set", p.name)
		}
	}
	if ttl := js.TTLSecondsAfterFinished; ttl != nil && *ttl <= 0 {
		t.Errorf("ttlSecondsAfterFinished = %d, want > 0", *ttl)
	}
	if pod.RestartPolicy != corev1.RestartPolicyNever && pod.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("restartPolicy = %q", pod.RestartPolicy)
	}

	if pod.ServiceAccountName != "pmsync" {
		t.Errorf("serviceAccountName = %q, want pmsync", pod.ServiceAccountName)
	}
	if a := pod.AutomountServiceAccountToken; a == nil || *a {
		t.Error("automountServiceAccountToken must be false")
	}
	psc := pod.SecurityContext
	if psc == nil {
		t.Fatal("pod securityContext missing")
	}
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Error("runAsNonRoot must be true")
	}
	if psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("runAsUser must be a non-zero UID")
	}
	if psc.RunAsGroup == nil || *psc.RunAsGroup == 0 {
		t.Error("runAsGroup must be a non-zero GID")
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("seccompProfile must be RuntimeDefault")
	}

	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != "pmsync" {
		t.Errorf("image = %q, want pmsync (set by kustomize images)", c.Image)
	}
	if want := []string{"sync", "--config", "/etc/pmsync/pmsync.yaml"}; !slices.Equal(c.Args, want) {
		t.Errorf("args = %q, want %q", c.Args, want)
	}
	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("container securityContext missing")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation must be false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("container must not be privileged")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem must be true")
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		t.Error("capabilities must drop ALL and add none")
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		t.Error("container runAsUser overrides the pod's with root")
	}

	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[name]; !ok {
			t.Errorf("resources.requests.%s not set", name)
		}
	}
	mem, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		t.Fatal("resources.limits.memory not set")
	}
	if mem.String() != "128Mi" {
		t.Errorf("memory limit = %s, want 128Mi", mem.String())
	}

	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	// A fixed GOMEMLIMIT below a live heap that grows with the archive
	// makes the collector run back to back; pmsync follows the
	// container's limit instead.
	if v, set := env["GOMEMLIMIT"]; set {
		t.Errorf("GOMEMLIMIT = %q is set: leave it unset so pmsync follows the container's memory limit", v)
	}
	if env["TMPDIR"] != "/tmp" {
		t.Errorf("TMPDIR = %q, want /tmp", env["TMPDIR"])
	}

	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("volumeMount %q has no volume", m.Name)
		}
		mounts[m.MountPath] = m
	}
	mountTests := []struct {
		path     string
		readOnly bool
		check    func(corev1.VolumeSource) error
	}{
		{"/etc/pmsync", true, func(s corev1.VolumeSource) error {
			if s.ConfigMap == nil || s.ConfigMap.Name != loadConfigMap(t).Name {
				return fmt.Errorf("want the ConfigMap %s", loadConfigMap(t).Name)
			}
			return nil
		}},
		{"/var/run/secrets/pmsync", true, func(s corev1.VolumeSource) error {
			if s.Secret == nil || s.Secret.SecretName == "" {
				return fmt.Errorf("want a Secret")
			}
			return nil
		}},
		{"/tmp", false, func(s corev1.VolumeSource) error {
			if s.EmptyDir == nil || s.EmptyDir.Medium != corev1.StorageMediumMemory || s.EmptyDir.SizeLimit == nil {
				return fmt.Errorf("want an emptyDir with medium Memory and a sizeLimit")
			}
			return nil
		}},
		{"/work", false, func(s corev1.VolumeSource) error {
			if s.EmptyDir == nil {
				return fmt.Errorf("want an emptyDir")
			}
			return nil
		}},
	}
	for _, mt := range mountTests {
		m, ok := mounts[mt.path]
		if !ok {
			t.Errorf("nothing mounted at %s", mt.path)
			continue
		}
		if m.ReadOnly != mt.readOnly {
			t.Errorf("%s: readOnly = %v, want %v", mt.path, m.ReadOnly, mt.readOnly)
		}
		if err := mt.check(volumes[m.Name].VolumeSource); err != nil {
			t.Errorf("%s (volume %s): %v", mt.path, m.Name, err)
		}
	}
	if len(mounts) != len(mountTests) {
		t.Errorf("%d mounts, want %d: every other path is on the read-only root", len(mounts), len(mountTests))
	}
}

// TestKustomizeBuild runs kustomize on the folder as kubectl apply -k would.
func TestKustomizeBuild(t *testing.T) {
	dir, err := filepath.Abs(manifestDir)
	if err != nil {
		t.Fatal(err)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}

	got := map[string]bool{}
	for _, r := range resMap.Resources() {
		got[r.GetKind()+"/"+r.GetName()] = true
		if r.GetLabels()["app.kubernetes.io/name"] != "pmsync" {
			t.Errorf("%s/%s lacks the common labels", r.GetKind(), r.GetName())
		}
	}
	want := []string{"CronJob/pmsync", "ConfigMap/pmsync-config", "ServiceAccount/pmsync"}
	for _, w := range want {
		if !got[w] {
			t.Errorf("kustomize output lacks %s; got %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("kustomize output has %d objects, want %d: %v", len(got), len(want), got)
	}
	for k := range got {
		if strings.HasPrefix(k, "Secret/") {
			t.Errorf("kustomize output has %s: the example Secret must not be applied", k)
		}
	}

	out, err := resMap.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(out), "\n---\n") {
		if !strings.Contains(doc, "kind: CronJob") {
			continue
		}
		var cj batchv1.CronJob
		if err := strictDecode([]byte(doc), &cj); err != nil {
			t.Fatalf("built CronJob: %v", err)
		}
		img := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image
		if img == "pmsync" || !strings.Contains(img, "/pmsync:") {
			t.Errorf("image = %q, want the kustomize images transform applied", img)
		}
		if cj.Spec.JobTemplate.Spec.Template.Labels["app.kubernetes.io/name"] != "pmsync" {
			t.Error("pod template lacks the common labels")
		}
		return
	}
	t.Error("no CronJob in the kustomize output")
}

// TestShippedConfigLoads loads the ConfigMap's pmsync.yaml with pmsync's own
// config package, and checks that the secrets it names are files in the
// mounted Secret.
func TestShippedConfigLoads(t *testing.T) {
	cm := loadConfigMap(t)
	data, ok := cm.Data["pmsync.yaml"]
	if !ok {
		t.Fatal("ConfigMap has no pmsync.yaml")
	}
	path := filepath.Join(t.TempDir(), "pmsync.yaml")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	if cfg.Source.Type != config.SourceGit || cfg.Source.Git.URL == "" || cfg.Source.Git.Branch == "" {
		t.Errorf("source = %+v, want a git source with url and branch", cfg.Source)
	}
	// The root file system is read-only: the report must go into the
	// clone (committed) or onto the /work emptyDir.
	if !cfg.Report.Commit && !strings.HasPrefix(cfg.Report.Dir, "/work/") {
		t.Errorf("report.dir = %q without report.commit, want it on the /work emptyDir", cfg.Report.Dir)
	}

	var example corev1.Secret
	if err := strictDecode(readManifest(t, "secret.example.yaml"), &example); err != nil {
		t.Fatal(err)
	}
	const secretDir = "/var/run/secrets/pmsync/"
	refs := []config.SecretRef{cfg.Source.Git.Token()}
	for _, tr := range cfg.Trackers {
		refs = append(refs, tr.Token(), tr.User())
	}
	for _, r := range refs {
		if !r.IsSet() {
			continue
		}
		if r.Env != "" {
			t.Errorf("%s comes from $%s; the CronJob mounts secrets as files", r.Key, r.Env)
			continue
		}
		name, ok := strings.CutPrefix(r.File, secretDir)
		if !ok {
			t.Errorf("%s: file %q is not under %s", r.Key, r.File, secretDir)
			continue
		}
		if _, ok := example.StringData[name]; !ok {
			t.Errorf("%s: key %q missing from secret.example.yaml", r.Key, name)
		}
	}
}

// fakeResolver answers base image lookups offline so the linter runs
// without a registry.
type fakeResolver struct{}

func (fakeResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`)
	return ref, digest.FromBytes(cfg), cfg, nil
}

func readDockerfile(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDockerfile(t *testing.T) {
	data := readDockerfile(t)
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("parser warnings: %+v", res.Warnings)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("instructions: %v", err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(stages))
	}

	build := stages[0]
	if !strings.HasPrefix(build.BaseName, "golang:1.26") {
		t.Errorf("build stage FROM %q, want golang:1.26", build.BaseName)
	}
	cgoOff := false
	for _, cmd := range build.Commands {
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			line := strings.Join(c.CmdLine, " ")
			if strings.Contains(line, "go build") && strings.Contains(line, "CGO_ENABLED=0") {
				cgoOff = true
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				if kv.Key == "CGO_ENABLED" && kv.Value == "0" {
					cgoOff = true
				}
			}
		}
	}
	if !cgoOff {
		t.Error("build stage does not build with CGO_ENABLED=0")
	}

	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.BaseName, "gcr.io/distroless/static") || !strings.HasSuffix(final.BaseName, ":nonroot") {
		t.Errorf("final stage FROM %q, want a distroless static :nonroot image", final.BaseName)
	}
	var user string
	var entrypoint *instructions.EntrypointCommand
	var cmdLine *instructions.CmdCommand
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			t.Errorf("final stage has RUN %q: it has no shell", c.CmdLine)
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entrypoint = c
		case *instructions.CmdCommand:
			cmdLine = c
		}
	}
	uid, gid, _ := strings.Cut(user, ":")
	for _, id := range []string{uid, gid} {
		if n, err := strconv.Atoi(id); err != nil || n == 0 {
			t.Errorf("final USER %q: want numeric non-zero uid:gid", user)
			break
		}
	}
	if entrypoint == nil || entrypoint.PrependShell || !slices.Equal(entrypoint.CmdLine, []string{"/pmsync"}) {
		t.Errorf("ENTRYPOINT must be exec form [\"/pmsync\"], got %+v", entrypoint)
	}
	if cmdLine == nil || cmdLine.PrependShell || !slices.Equal(cmdLine.CmdLine, []string{"sync", "--config", "/etc/pmsync/pmsync.yaml"}) {
		t.Errorf("CMD must be exec form sync --config /etc/pmsync/pmsync.yaml, got %+v", cmdLine)
	}
}

// lintDockerfile is docker build --check, offline.
func lintDockerfile(data []byte) (*lint.LintResults, error) {
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", data)
	sm.Definition = &llb.Definition{} // DockerfileLint reads it; no LLB is built
	return dockerfile2llb.DockerfileLint(context.Background(), data, dockerfile2llb.ConvertOpt{
		SourceMap:    sm,
		MetaResolver: fakeResolver{},
	})
}

// TestDockerfileLint runs BuildKit's checks (docker build --check) and
// fails on any warning.
func TestDockerfileLint(t *testing.T) {
	data := readDockerfile(t)
	res, err := lintDockerfile(data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Errorf("build error: %s", res.Error.Message)
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		t.Errorf("Dockerfile:%d: %s: %s", line, w.RuleName, w.Detail)
	}

	t.Run("catches a bad Dockerfile", func(t *testing.T) {
		bad := []byte("from golang:1.26 as build\nRUN echo $UNDEFINED\nFROM scratch\nENTRYPOINT /x\n")
		res, err := lintDockerfile(bad)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) == 0 {
			t.Error("linter found nothing wrong with a bad Dockerfile")
		}
	})
}

// TestGitHubOnlyOverlay builds deploy/kubernetes/github-only as kubectl
// apply -k would: the same three objects, a configuration that loads, has
// no Jira tracker, and needs exactly one secret file, github-token, for
// the trackers and the git source alike.
func TestGitHubOnlyOverlay(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join(manifestDir, "github-only"))
	if err != nil {
		t.Fatal(err)
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	var data string
	kinds := map[string]bool{}
	for _, r := range resMap.Resources() {
		kinds[r.GetKind()+"/"+r.GetName()] = true
		if r.GetKind() == "ConfigMap" {
			m, err := r.GetFieldValue("data")
			if err != nil {
				t.Fatal(err)
			}
			data, _ = m.(map[string]any)["pmsync.yaml"].(string)
		}
	}
	for _, w := range []string{"CronJob/pmsync", "ConfigMap/pmsync-config", "ServiceAccount/pmsync"} {
		if !kinds[w] {
			t.Errorf("overlay output lacks %s: %v", w, kinds)
		}
	}
	if len(kinds) != 3 {
		t.Errorf("overlay output has %d objects: %v", len(kinds), kinds)
	}
	path := filepath.Join(t.TempDir(), "pmsync.yaml")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("the overlay's configuration does not load: %v", err)
	}
	files := map[string]bool{}
	for _, c := range cfg.Credentials() {
		if c.Ref.Env != "" {
			t.Errorf("%s comes from $%s; the CronJob mounts secrets as files", c.Ref.Key, c.Ref.Env)
		}
		files[c.Ref.File] = true
	}
	for name, tr := range cfg.Trackers {
		if tr.Type != config.TrackerGitHub {
			t.Errorf("tracker %s is %s; the GitHub-only variant has GitHub trackers only", name, tr.Type)
		}
	}
	if len(files) != 1 || !files["/var/run/secrets/pmsync/github-token"] {
		t.Errorf("the overlay needs secret files %v, want only /var/run/secrets/pmsync/github-token", files)
	}
	if cfg.Source.Type != config.SourceGit || !cfg.Report.Commit {
		t.Errorf("source %s, report.commit %v: the pod has no disk, so the report must be committed", cfg.Source.Type, cfg.Report.Commit)
	}
}

// TestNoStaleComments: a comment in the shipped manifests must not call a
// built feature unbuilt.
func TestNoStaleComments(t *testing.T) {
	err := filepath.WalkDir(manifestDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, stale := range []string{"not built", "not yet built", "TODO", "coming soon"} {
			if strings.Contains(string(b), stale) {
				t.Errorf("%s says %q", p, stale)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
