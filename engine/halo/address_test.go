package halo

import (
	"errors"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"yourcompany.halopsa.com", "https://yourcompany.halopsa.com", false},
		{"  YourCompany.HaloPSA.com/ ", "https://yourcompany.halopsa.com", false},
		{"https://yourcompany.halopsa.com/api", "https://yourcompany.halopsa.com", false},
		{"https://yourcompany.halopsa.com/api/", "https://yourcompany.halopsa.com", false},
		{"https://support.example.org/halo/api", "https://support.example.org/halo", false},
		{"https://support.example.org:8443", "https://support.example.org:8443", false},
		{"http://127.0.0.1:8090", "http://127.0.0.1:8090", false},
		{"http://localhost:8090/api", "http://localhost:8090", false},
		{"http://[::1]:8090", "http://[::1]:8090", false},
		{"http://yourcompany.halopsa.com", "", true},
		{"ftp://yourcompany.halopsa.com", "", true},
		{"yourcompany", "", true},
		{"", "", true},
		{"https://user:pw@yourcompany.halopsa.com", "", true},
		{"https://yourcompany.halopsa.com/?x=1", "", true},
		{"https://", "", true},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("ParseAddress(%q) = %q, %v; want ErrBadURL", tt.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAddressSuggestsHostedName(t *testing.T) {
	_, err := ParseAddress("acme")
	if err == nil || !contains(err.Error(), "acme.halopsa.com") {
		t.Fatalf("error %v should suggest acme.halopsa.com", err)
	}
}

func TestTokenURL(t *testing.T) {
	if got := tokenURL("https://auth.haloservicedesk.com", "acme corp"); got != "https://auth.haloservicedesk.com/token?tenant=acme+corp" {
		t.Errorf("tokenURL with tenant = %q", got)
	}
	if got := tokenURL("https://x.halopsa.com/auth/", ""); got != "https://x.halopsa.com/auth/token" {
		t.Errorf("tokenURL without tenant = %q", got)
	}
}

func TestPlainLoopback(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want Address
		ok   bool
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{" localhost:8080/api ", "http://localhost:8080", true},
		{"[::1]:9000", "http://[::1]:9000", true},
		{"https://127.0.0.1:8080", "", false}, // a scheme typed is a scheme meant
		{"http://127.0.0.1:8080", "", false},
		{"acme.halopsa.com", "", false}, // never plain http across the network
		{"10.0.0.5:8080", "", false},
		{"", "", false},
	} {
		got, ok := PlainLoopback(c.raw)
		if got != c.want || ok != c.ok {
			t.Errorf("PlainLoopback(%q) = %q, %v; want %q, %v", c.raw, got, ok, c.want, c.ok)
		}
	}
}
