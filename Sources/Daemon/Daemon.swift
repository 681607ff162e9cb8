// The Daemon module; see Package.swift for its place in the layers.
