package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/brainstormmsp/halosync/engine/halo/halosim"
)

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "4", "--tenant", "acme",
			"--client-id", "my-id", "--client-secret", "my-secret"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-errc)
	}
	base, ok := strings.CutPrefix(sc.Text(), "halosim: serving ")
	if !ok {
		t.Fatalf("first line %q", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	resp, err := http.PostForm(base+"/auth/token?tenant=acme", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"my-id"}, "client_secret": {"my-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/Client?includeinactive=true", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		RecordCount int `json:"record_count"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 200 || env.RecordCount != 4 {
		t.Fatalf("clients: %d, record_count %d", resp.StatusCode, env.RecordCount)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"--no-such-flag"}, io.Discard); err == nil {
		t.Fatal("bad flag accepted")
	}
	if err := run(context.Background(), []string{"extra"}, io.Discard); err == nil {
		t.Fatal("stray argument accepted")
	}
}

func TestParseBehaviourFlags(t *testing.T) {
	pessimistic, err := halosim.DialectBehaviour("pessimistic")
	if err != nil {
		t.Fatal(err)
	}
	with := func(b halosim.Behaviour, change func(*halosim.Behaviour)) halosim.Behaviour {
		change(&b)
		return b
	}
	tests := []struct {
		args []string
		want halosim.Behaviour
		open int
	}{
		{nil, halosim.Behaviour{}, 0},
		{[]string{"--dialect", "pessimistic"}, pessimistic, 0},
		{[]string{"--dialect", "no-filters"}, halosim.Behaviour{TicketDateFilter: halosim.DateFilterIgnore, TicketOrder: halosim.OrderIgnore}, 0},
		// Single flags override the preset, wherever they stand, even
		// when they set a field back to its zero value.
		{[]string{"--ticket-order", "honour", "--dialect", "pessimistic", "--unpaged-limit", "0", "--past-end-repeats=false"},
			with(pessimistic, func(b *halosim.Behaviour) {
				b.TicketOrder, b.UnpagedLimit, b.PastEndRepeats = halosim.OrderHonour, 0, false
			}), 0},
		{[]string{"--ticket-date-filter", "reject", "--halo-dates", "--ticket-time-key", "lastupdate", "--asset-page-size", "50"},
			halosim.Behaviour{TicketDateFilter: halosim.DateFilterReject, HaloDates: true, TicketTimeKey: "lastupdate", AssetPageSize: 50}, 0},
		{[]string{"--clients", "200", "--tickets-per-client", "101", "--open-tickets", "200"}, halosim.Behaviour{}, 200},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cfg, err := parseArgs(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.opts.Behaviour != tt.want || cfg.opts.OpenTickets != tt.open {
				t.Fatalf("behaviour %+v, open %d; want %+v, %d", cfg.opts.Behaviour, cfg.opts.OpenTickets, tt.want, tt.open)
			}
		})
	}
}

func TestParseBehaviourFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"--dialect", "optimistic"}, `--dialect: unknown dialect "optimistic"`},
		{[]string{"--ticket-order", "sideways"}, `--ticket-order: "sideways" is not valid (want honour or ignore)`},
		{[]string{"--ticket-date-filter", "honor"}, `--ticket-date-filter: "honor" is not valid`},
		{[]string{"--asset-page-size", "-1"}, `--asset-page-size: "-1" is not valid`},
		{[]string{"--unpaged-limit", "-50"}, `--unpaged-limit: "-50" is not valid`},
		{[]string{"--ticket-time-key", "updated_at"}, `--ticket-time-key: "updated_at" is not valid (want last_update, lastupdate or flastupdate)`},
		{[]string{"--open-tickets", "-3"}, `--open-tickets: -3 is not valid`},
		{[]string{"--halo-dates=maybe"}, `-halo-dates`},
		{[]string{"--asset-page-size", "fifty"}, `-asset-page-size`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseArgs(tt.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRunBannerAndBehaviourEndpoint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "3", "--dialect", "rejects-dates", "--open-tickets", "2"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base, behaviour string
	for sc.Scan() && behaviour == "" {
		line := sc.Text()
		if b, ok := strings.CutPrefix(line, "halosim: serving "); ok {
			base = b
		}
		if b, ok := strings.CutPrefix(line, "  behaviour        "); ok {
			behaviour = b
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if want := "dialect rejects-dates: ticket_date_filter=reject ticket_order=ignore past_end_repeats=false asset_page_size=0 unpaged_limit=0 ticket_time_key=last_update halo_dates=false" +
		" action_note_key=note validation_answer=fields priority_id_key=id restricted_ticket_answer=forbidden"; behaviour != want {
		t.Fatalf("banner behaviour %q, want %q (err %v)", behaviour, want, ctx.Err())
	}
	resp, err := http.Get(base + "/_sim/behaviour")
	if err != nil {
		t.Fatal(err)
	}
	var got halosim.Behaviour
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.TicketDateFilter != halosim.DateFilterReject || got.TicketOrder != halosim.OrderIgnore {
		t.Fatalf("GET /_sim/behaviour = %+v", got)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no shutdown")
	}
}

// TestRunSignsWebhooks runs the simulator with a signed webhook, secret
// from the environment, and checks a delivery carries the signature.
func TestRunSignsWebhooks(t *testing.T) {
	const secret = "from-the-environment"
	got := make(chan [2]string, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- [2]string{r.Header.Get("Token"), string(b)}
	}))
	defer recv.Close()
	if err := run(context.Background(), []string{"--webhook-url", recv.URL, "--webhook-hmac-header", "Token"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "HALOSIM_WEBHOOK_HMAC_SECRET") {
		t.Fatalf("a header without a secret: %v", err)
	}
	t.Setenv("HALOSIM_WEBHOOK_HMAC_SECRET", secret)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--clients", "3", "--webhook-url", recv.URL,
			"--webhook-hmac-header", "Token"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output: %v", <-errc)
	}
	base, _ := strings.CutPrefix(sc.Text(), "halosim: serving ")
	var banner strings.Builder
	for sc.Scan() && !strings.Contains(sc.Text(), "signed in") {
		banner.WriteString(sc.Text() + "\n")
	}
	if !strings.Contains(sc.Text(), "Token") || strings.Contains(banner.String()+sc.Text(), secret) {
		t.Errorf("banner line %q (the secret must not be printed)", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	created := false
	for client := 1; client <= 20 && !created; client++ {
		resp, err := http.Post(fmt.Sprintf("%s/_sim/tickets?client_id=%d&summary=Signed", base, client), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		created = resp.StatusCode == http.StatusOK
	}
	if !created {
		t.Fatal("could not create a ticket")
	}
	select {
	case d := <-got:
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(d[1]))
		if want := base64.StdEncoding.EncodeToString(m.Sum(nil)); d[0] != want {
			t.Errorf("Token = %q, want %q", d[0], want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
