"""Code shared by the release and bump stages: the npm registry client, git steps, workspaces and GitHub."""
