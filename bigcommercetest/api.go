package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

type root int

const (
	noRoot root = iota
	oauthRoot
	basicRoot
)

// splitRoot separates an API root from the path under it. For a path under
// neither root, rel is the whole path, so faults can still match it.
func splitRoot(path string) (kind root, rel, hash string) {
	if rest, ok := strings.CutPrefix(path, "/api/v2"); ok && (rest == "" || rest[0] == '/') {
		return basicRoot, trimSlash(rest), ""
	}
	if rest, ok := strings.CutPrefix(path, "/stores/"); ok {
		hash, tail, _ := strings.Cut(rest, "/")
		if rest, ok := strings.CutPrefix("/"+tail, "/v2"); ok && (rest == "" || rest[0] == '/') {
			return oauthRoot, trimSlash(rest), hash
		}
	}
	return noRoot, trimSlash(path), ""
}

func trimSlash(p string) string {
	if len(p) > 1 {
		return strings.TrimSuffix(p, "/")
	}
	return p
}

// serveAPI answers as the API would: authentication, then routing, then the
// operation.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	kind, rel, hash := splitRoot(r.URL.Path)
	var readOnly bool
	switch kind {
	case noRoot:
		writeError(w, errNotFound)
		return
	case basicRoot:
		user, key, ok := r.BasicAuth()
		if !ok || user != s.Username || key != s.APIKey {
			writeError(w, errUnauthorized)
			return
		}
	case oauthRoot:
		var err *apiError
		if readOnly, err = s.authorize(hash, r.Header.Get("X-Auth-Token")); err != nil {
			writeError(w, err)
			return
		}
	}

	var routes map[string]handler
	id := 0
	switch {
	case rel == "/customer_groups":
		routes = collectionRoutes
	case rel == "/customer_groups/count":
		routes = countRoutes
	case strings.HasPrefix(rel, "/customer_groups/"):
		// A malformed id names no resource, so it is a 404 like any other
		// unknown path rather than a 400.
		n, err := strconv.Atoi(strings.TrimPrefix(rel, "/customer_groups/"))
		if err != nil || n < 1 {
			writeError(w, errNotFound)
			return
		}
		id, routes = n, itemRoutes
	default:
		writeError(w, errNotFound)
		return
	}
	h, ok := routes[r.Method]
	if !ok {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if routes[m] != nil {
				allowed = append(allowed, m)
			}
		}
		list := strings.Join(allowed, ", ")
		w.Header().Set("Allow", list)
		writeError(w, &apiError{Status: 405, Message: "The method " + r.Method + " is not allowed here; use " + list + "."})
		return
	}
	if readOnly && isWrite(r.Method) {
		writeError(w, &apiError{Status: 403, Message: "This token may only read customer groups; writing needs the store_v2_customers scope."})
		return
	}
	h(s, w, r, id)
}

type handler func(s *Server, w http.ResponseWriter, r *http.Request, id int)

var (
	collectionRoutes = map[string]handler{
		http.MethodGet:    (*Server).list,
		http.MethodPost:   (*Server).create,
		http.MethodDelete: (*Server).deleteAll,
	}
	countRoutes = map[string]handler{http.MethodGet: (*Server).count}
	itemRoutes  = map[string]handler{
		http.MethodGet:    (*Server).get,
		http.MethodPut:    (*Server).update,
		http.MethodDelete: (*Server).delete,
	}
)

var errUnauthorized = &apiError{Status: 401, Message: "The credentials are missing or not valid for this store."}

func (s *Server) list(w http.ResponseWriter, r *http.Request, _ int) {
	q := r.URL.Query()
	page, limit, err := parsePage(q)
	if err != nil {
		writeError(w, err)
		return
	}
	f, err := parseFilter(q)
	if err != nil {
		writeError(w, err)
		return
	}
	var out []wireGroup
	skip := (page - 1) * limit
	s.mu.Lock()
	for _, g := range s.groups {
		if len(out) == limit {
			break
		}
		if !f.match(g) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, encodeGroup(g, s.cfg.dateFormat))
	}
	s.mu.Unlock()
	if len(out) == 0 {
		// The API's way of saying "no more": 204 and no body at all, not [].
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) count(w http.ResponseWriter, r *http.Request, _ int) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	n := 0
	s.mu.Lock()
	for _, g := range s.groups {
		if f.match(g) {
			n++
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (s *Server) get(w http.ResponseWriter, _ *http.Request, id int) {
	g, ok := s.Group(id)
	if !ok {
		writeError(w, errNotFound)
		return
	}
	writeJSON(w, http.StatusOK, encodeGroup(g, s.cfg.dateFormat))
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, _ int) {
	p, err := readPatch(r)
	if err == nil && p.name == nil {
		err = badRequest("name is required")
	}
	if err != nil {
		writeError(w, err)
		return
	}
	g := Group{CategoryAccess: CategoryAccess{Type: "all"}}
	s.mu.Lock()
	g, err = s.saveLocked(g, p)
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, s.cfg.createStatus, encodeGroup(g, s.cfg.dateFormat))
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id int) {
	p, err := readPatch(r)
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	var g Group
	i, ok := s.indexLocked(id)
	if ok {
		g, err = s.saveLocked(s.groups[i].clone(), p)
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, errNotFound)
	case err != nil:
		writeError(w, err)
	default:
		writeJSON(w, http.StatusOK, encodeGroup(g, s.cfg.dateFormat))
	}
}

// readPatch checks the body's media type and decodes it.
func readPatch(r *http.Request) (groupPatch, *apiError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return groupPatch{}, &apiError{Status: 415, Message: "The request body must be sent as application/json."}
	}
	body, _ := io.ReadAll(r.Body)
	return decodePatch(body)
}

// saveLocked applies p to g and stores the result: under a new id when g.ID
// is 0, else in place of the group with g.ID.
func (s *Server) saveLocked(g Group, p groupPatch) (Group, *apiError) {
	if p.name != nil {
		name := strings.TrimSpace(*p.name)
		if name == "" {
			return g, badRequest("name must not be empty")
		}
		if !s.cfg.allowDuplicateNames && s.nameTakenLocked(name, g.ID) {
			return g, &apiError{Status: 409, Message: "A customer group named " + strconv.Quote(name) + " already exists."}
		}
		g.Name = name
	}
	if p.isDefault != nil {
		g.IsDefault = *p.isDefault
	}
	if p.isGroupForGuests != nil {
		g.IsGroupForGuests = *p.isGroupForGuests
	}
	if p.categoryAccess != nil {
		g.CategoryAccess = *p.categoryAccess
	}
	if p.discountRules != nil {
		g.DiscountRules = *p.discountRules
	}
	t := now()
	g.DateModified = t
	if g.ID == 0 {
		g.DateCreated = t
		return s.addLocked(g).clone(), nil
	}
	if g.IsGroupForGuests {
		s.takeGuestFlagLocked(g.ID, t)
	}
	i, _ := s.indexLocked(g.ID)
	s.groups[i] = g
	return g.clone(), nil
}

func (s *Server) delete(w http.ResponseWriter, _ *http.Request, id int) {
	s.mu.Lock()
	i, ok := s.indexLocked(id)
	if ok {
		s.groups = append(s.groups[:i], s.groups[i+1:]...)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteAll(w http.ResponseWriter, _ *http.Request, _ int) {
	s.mu.Lock()
	s.groups = nil
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, []*apiError{e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Names like "Friends & Family" go out as written rather than as
	// \u0026, which keeps bodies readable in test failures.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
