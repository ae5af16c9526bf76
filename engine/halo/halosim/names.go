package halosim

// ClientSummary is a client's id, name and website, for tools that need
// the simulated tenant's client list without going through the API (the
// demo builds a local client book from it).
type ClientSummary struct {
	ID       int
	Name     string
	Website  string
	Inactive bool
}

// Clients returns every client in id order.
func (s *Server) Clients() []ClientSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ClientSummary, 0, len(s.data.clients.rows))
	for _, c := range s.data.clients.rows {
		out = append(out, ClientSummary{ID: c.id, Name: c.name, Website: c.website, Inactive: c.inactive})
	}
	return out
}
