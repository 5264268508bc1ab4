packages = ["git", "make"]
