"""What the release and bump stages share: the npm registry client, git steps, workspaces and GitHub."""
