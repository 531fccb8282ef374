"""The repo's own sample documents and the renderer that turns them into realistic scans."""
