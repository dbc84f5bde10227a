package source

import "testing"

func TestRepoIdentity(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ url, folder, want string }{
		{"https://github.com/acme/postmortems.git", "postmortems", "git:github.com/acme/postmortems/postmortems"},
		{"https://x-access-token@GitHub.com/acme/postmortems", "postmortems/", "git:github.com/acme/postmortems/postmortems"},
		{"git@github.com:acme/postmortems.git", "./postmortems", "git:github.com/acme/postmortems/postmortems"},
		{"ssh://git@github.com:22/acme/postmortems.git", "postmortems", "git:github.com/acme/postmortems/postmortems"},
		{"https://git.example/acme/pm", "", "git:git.example/acme/pm"},
		{"https://git.example/acme/pm", ".", "git:git.example/acme/pm"},
		{"/srv/git/pm.git", "docs", "git:srv/git/pm/docs"},
		{"file:///srv/git/pm.git", "docs", "git:srv/git/pm/docs"},
	} {
		if got := RepoIdentity(tt.url, tt.folder); got != tt.want {
			t.Errorf("RepoIdentity(%q, %q) = %q, want %q", tt.url, tt.folder, got, tt.want)
		}
	}
}
