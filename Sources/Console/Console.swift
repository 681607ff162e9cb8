// The Console module; see Package.swift for its place in the layers.
