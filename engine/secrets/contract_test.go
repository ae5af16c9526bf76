package secrets

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// contractValues are the secrets every Store must keep byte for byte.
var contractValues = []struct {
	name, key, value string
}{
	{"plain", "halo.client_secret", "s3cr3t-Value_123"},
	{"empty value", "empty", ""},
	{"unicode", "unicode", "pässwörd-日本語-🔑-Ω≈ç√"},
	{"unicode key", "clé-ключ-鍵", "value for a unicode key"},
	{"whitespace", "ws", "  leading and trailing\ttab\nnew line\r\n  "},
	{"quotes and shell", "shell", `'"$(rm -rf /)` + "`;|&<>\\"},
	{"key with separators", "webhook/basic:user@host", "v"},
	{"long", "long", strings.Repeat("0123456789abcdef", 4096)}, // 64 KiB
	{"long unicode", "long-unicode", strings.Repeat("ключ🔑", 2000)},
}

// testStoreContract runs the behaviour every Store promises against stores
// made by newStore, each fresh and empty.
func testStoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("missing key", func(t *testing.T) {
		s := newStore(t)
		v, err := s.Get("never-set")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get(missing) error = %v, want ErrNotFound", err)
		}
		if v != "" {
			t.Errorf("Get(missing) = %q, want empty", v)
		}
	})

	t.Run("values round trip", func(t *testing.T) {
		s := newStore(t)
		for _, tc := range contractValues {
			t.Run(tc.name, func(t *testing.T) {
				if err := s.Set(tc.key, tc.value); err != nil {
					t.Fatalf("Set: %v", err)
				}
				got, err := s.Get(tc.key)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if got != tc.value {
					t.Errorf("Get = %q (%d bytes), want %q (%d bytes)",
						short(got), len(got), short(tc.value), len(tc.value))
				}
			})
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		s := newStore(t)
		for _, v := range []string{"first", "second, longer than the first", "3"} {
			if err := s.Set("k", v); err != nil {
				t.Fatalf("Set(%q): %v", v, err)
			}
			got, err := s.Get("k")
			if err != nil || got != v {
				t.Fatalf("after Set(%q): Get = %q, %v", v, got, err)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1")
		mustSet(t, s, "b", "2")
		if err := s.Delete("a"); err != nil {
			t.Fatalf("Delete(a): %v", err)
		}
		if _, err := s.Get("a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(a) after Delete: error = %v, want ErrNotFound", err)
		}
		if got, err := s.Get("b"); err != nil || got != "2" {
			t.Errorf("Get(b) after Delete(a) = %q, %v; want \"2\", nil", got, err)
		}
		// Deleting again, or a key never set, is not an error.
		if err := s.Delete("a"); err != nil {
			t.Errorf("second Delete(a): %v", err)
		}
		if err := s.Delete("never-set"); err != nil {
			t.Errorf("Delete(never-set): %v", err)
		}
		// A deleted key can be set again.
		mustSet(t, s, "a", "again")
		if got, err := s.Get("a"); err != nil || got != "again" {
			t.Errorf("Get(a) after re-Set = %q, %v", got, err)
		}
	})

	t.Run("empty key", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(\"\") error = %v, want ErrInvalidKey", err)
		}
		if err := s.Set("", "x"); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Set(\"\") error = %v, want ErrInvalidKey", err)
		}
		if err := s.Delete(""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(\"\") error = %v, want ErrInvalidKey", err)
		}
	})

	t.Run("concurrent use", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				key, want := fmt.Sprintf("key-%d", i), fmt.Sprintf("value-%d", i)
				if err := s.Set(key, want); err != nil {
					errs <- fmt.Errorf("Set(%s): %w", key, err)
					return
				}
				if got, err := s.Get(key); err != nil || got != want {
					errs <- fmt.Errorf("Get(%s) = %q, %v", key, got, err)
					return
				}
				if err := s.Delete(key); err != nil {
					errs <- fmt.Errorf("Delete(%s): %w", key, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func mustSet(t *testing.T, s Store, key, value string) {
	t.Helper()
	if err := s.Set(key, value); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

// short keeps failure messages about 64 KiB values readable.
func short(s string) string {
	if len(s) <= 80 {
		return s
	}
	return s[:40] + "…" + s[len(s)-40:]
}

func TestMemoryContract(t *testing.T) {
	testStoreContract(t, func(*testing.T) Store { return NewMemory() })
}

func TestMemoryZeroValue(t *testing.T) {
	var m Memory
	if err := m.Delete("k"); err != nil {
		t.Fatalf("Delete on zero Memory: %v", err)
	}
	mustSet(t, &m, "k", "v")
	if got, err := m.Get("k"); err != nil || got != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if m.Len() != 1 {
		t.Fatalf("Len = %d, want 1", m.Len())
	}
}

func TestMemorySetFailure(t *testing.T) {
	m := NewMemory()
	mustSet(t, m, "k", "v")
	locked := fmt.Errorf("test: %w", ErrUnavailable)
	m.SetFailure(locked)
	if _, err := m.Get("k"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get while failing: %v, want ErrUnavailable", err)
	}
	if err := m.Set("k", "w"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Set while failing: %v, want ErrUnavailable", err)
	}
	if err := m.Delete("k"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Delete while failing: %v, want ErrUnavailable", err)
	}
	m.SetFailure(nil)
	if got, err := m.Get("k"); err != nil || got != "v" {
		t.Errorf("Get after SetFailure(nil) = %q, %v; want the value from before", got, err)
	}
}
