package bigcommercetest

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

//go:embed controlpanel.html
var controlPanelHTML string

var controlPanel = template.Must(template.New("panel").Parse(controlPanelHTML))

// ControlPanelURL is the address of the platform's control panel: a page
// that lists the stores and, for each registered app, Install, Open,
// Uninstall and Remove user actions. Like BigCommerce's, it shows the app
// in a frame, so that what an app needs there (cookies a framed page may
// set, a Content-Security-Policy whose frame-ancestors allows the control
// panel's origin) is met for real in a browser. Serve the app on another
// host than the panel's (127.0.0.1 and localhost, say) to make the frame
// cross-site, as it is in production.
func (p *Platform) ControlPanelURL() string { return p.URL + "/manage" }

type panelPage struct {
	Apps   []string
	Stores []panelStore
	Notice string
	Failed bool
	Frame  string
}

type panelStore struct {
	Hash   string
	Groups int
	Cells  []panelCell
}

type panelCell struct {
	Store, ClientID string
	Installed       bool
}

// serveControlPanel shows the page on GET, and on POST performs an action
// and shows the page with its outcome. Actions refuse cross-origin
// requests, so that another site cannot uninstall an app through a
// developer's browser.
func (p *Platform) serveControlPanel(w http.ResponseWriter, r *http.Request) {
	action := strings.Trim(strings.TrimPrefix(r.URL.Path, "/manage"), "/")
	switch {
	case action == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.renderPanel(w, http.StatusOK, panelPage{})
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Control panel actions take a POST.", http.StatusMethodNotAllowed)
	case new(http.CrossOriginProtection).Check(r) != nil:
		http.Error(w, "Control panel actions are refused from other sites.", http.StatusForbidden)
	default:
		page, status := p.act(r, action)
		p.renderPanel(w, status, page)
	}
}

// act performs a control panel action on the store and app the form names.
func (p *Platform) act(r *http.Request, action string) (panelPage, int) {
	hash, clientID := r.PostFormValue("store"), r.PostFormValue("client_id")
	p.mu.Lock()
	app, appErr := p.appLocked(clientID)
	_, storeErr := p.storeLocked(hash)
	p.mu.Unlock()
	if err := errors.Join(appErr, storeErr); err != nil {
		return panelPage{Notice: "The form names no registered app or no store.", Failed: true}, http.StatusBadRequest
	}
	var (
		page panelPage
		err  error
	)
	switch action {
	case "install":
		page.Frame, err = p.StartInstall(clientID, hash, "")
		page.Notice = fmt.Sprintf("Installing %s on store %s: the app's auth callback is below.", app.Name, hash)
	case "load":
		page.Frame, err = p.LoadURL(clientID, hash)
		page.Notice = fmt.Sprintf("%s, opened on store %s as its owner.", app.Name, hash)
	case "uninstall":
		err = p.Uninstall(r.Context(), clientID, hash)
		page.Notice = fmt.Sprintf("Uninstalled %s from store %s: its token is revoked and its uninstall callback was told.", app.Name, hash)
	case "remove_user":
		var staff User
		if staff, err = p.Staff(hash); err == nil {
			err = p.RemoveUser(r.Context(), clientID, hash, staff)
		}
		page.Notice = fmt.Sprintf("Removed %s's access to %s on store %s, and told its remove-user callback.", staff.Email, app.Name, hash)
	default:
		return panelPage{Notice: "No such action.", Failed: true}, http.StatusNotFound
	}
	if err != nil {
		// The errors name no secret and leave callback URLs, which carry
		// signed payloads, out.
		return panelPage{Notice: err.Error(), Failed: true}, http.StatusBadGateway
	}
	return page, http.StatusOK
}

func (p *Platform) renderPanel(w http.ResponseWriter, status int, page panelPage) {
	apps := p.Apps()
	for _, app := range apps {
		page.Apps = append(page.Apps, app.Name)
	}
	for _, srv := range p.Stores() {
		row := panelStore{Hash: srv.StoreHash, Groups: len(srv.Groups())}
		for _, app := range apps {
			row.Cells = append(row.Cells, panelCell{Store: srv.StoreHash, ClientID: app.ClientID, Installed: srv.installed(app.ClientID)})
		}
		page.Stores = append(page.Stores, row)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The panel frames apps; nothing frames the panel.
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page carries install codes and signed payloads.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The only error left once the template parsed is a client that went
	// away.
	_ = controlPanel.Execute(w, page)
}
