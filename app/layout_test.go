package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDependencyRule enforces DESIGN.md's rule: engine/... imports no Fyne,
// no app and no gui; app imports no Fyne; only cmd/halosync imports
// fyne.io/fyne/v2/app. It asks the go tool for every package's transitive
// imports, so an indirect import breaks it too.
func TestDependencyRule(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "list", "-e", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...")
	cmd.Dir = ".."
	// cmd/halosync needs cgo (OpenGL); with cgo off go list cannot load
	// it, so ask with cgo on, and -e to report rather than stop.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/brainstormmsp/halosync/"
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := strings.TrimPrefix(fields[0], mod), fields[1:]
		checked++
		for _, d := range deps {
			rel := strings.TrimPrefix(d, mod)
			switch {
			case strings.HasPrefix(pkg, "engine") && (strings.HasPrefix(d, "fyne.io/") || rel == "app" || strings.HasPrefix(rel, "app/") || rel == "gui" || strings.HasPrefix(rel, "gui/")):
				t.Errorf("%s imports %s: engine/ must not depend on Fyne, app or gui", pkg, d)
			case pkg == "app" && strings.HasPrefix(d, "fyne.io/"):
				t.Errorf("app imports %s: app must not depend on Fyne", d)
			case d == "fyne.io/fyne/v2/app" && pkg != "cmd/halosync":
				t.Errorf("%s imports fyne.io/fyne/v2/app: only cmd/halosync may", pkg)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("go list reported only %d packages; the rule checked too little", checked)
	}
}
