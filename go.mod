module github.com/zebgp/ze

go 1.26
