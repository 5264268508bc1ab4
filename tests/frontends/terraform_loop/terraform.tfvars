copies = 2
