package store

import (
	"context"
	"testing"
)

// pageSize is HaloPSA's page cap, and so the size of every import write.
const pageSize = 100

// BenchmarkUpsertContacts measures importing new contacts, one 100-row page
// per transaction, as the first import does.
func BenchmarkUpsertContacts(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	run, err := db.BeginRun(ctx, KindImport)
	if err != nil {
		b.Fatal(err)
	}
	rows := 0
	for b.Loop() {
		page := contactPage(int64(rows), pageSize)
		res, err := db.UpsertContacts(ctx, run, page)
		if err != nil {
			b.Fatal(err)
		}
		if res.Inserted != pageSize {
			b.Fatalf("%+v, want %d inserted", res, pageSize)
		}
		rows += pageSize
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUpsertContactsUnchanged measures a re-import that finds nothing
// changed: 38 pages (about a full import's share of contacts) upserted again
// and again under new runs.
func BenchmarkUpsertContactsUnchanged(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	const pages = 38
	data := make([][]Contact, pages)
	for p := range data {
		data[p] = contactPage(int64(p*pageSize), pageSize)
		if _, err := db.UpsertContacts(ctx, 1, data[p]); err != nil {
			b.Fatal(err)
		}
	}
	rows, i := 0, 0
	for b.Loop() {
		run := int64(2 + i/pages)
		res, err := db.UpsertContacts(ctx, run, data[i%pages])
		if err != nil {
			b.Fatal(err)
		}
		if res.Unchanged != pageSize {
			b.Fatalf("%+v, want %d unchanged", res, pageSize)
		}
		rows += pageSize
		i++
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUpsertContactsUpdated measures a re-import where every row changed.
func BenchmarkUpsertContactsUpdated(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	page := contactPage(0, pageSize)
	if _, err := db.UpsertContacts(ctx, 1, page); err != nil {
		b.Fatal(err)
	}
	rows, run := 0, int64(1)
	for b.Loop() {
		run++
		for i := range page {
			page[i].Primary = !page[i].Primary
		}
		res, err := db.UpsertContacts(ctx, run, page)
		if err != nil {
			b.Fatal(err)
		}
		if res.Updated != pageSize {
			b.Fatalf("%+v, want %d updated", res, pageSize)
		}
		rows += pageSize
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCounts measures the dashboard query on a database the size of a
// full import (about 38,000 rows).
func BenchmarkCounts(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	for p := range 20 {
		base := int64(p * pageSize)
		if _, err := db.UpsertClients(ctx, 1, clientPage(base, pageSize)); err != nil {
			b.Fatal(err)
		}
		for q := range 6 {
			cbase := int64((p*6 + q) * pageSize)
			if _, err := db.UpsertSites(ctx, 1, sitePage(cbase, pageSize)); err != nil {
				b.Fatal(err)
			}
			if _, err := db.UpsertContacts(ctx, 1, contactPage(cbase, pageSize)); err != nil {
				b.Fatal(err)
			}
			if _, err := db.UpsertAssets(ctx, 1, assetPage(cbase, pageSize)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		if _, err := db.Counts(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
