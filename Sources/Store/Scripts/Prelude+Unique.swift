extension Lua {
    /// A unique lock (`K.unique`, see `CreateArgument.uniqueKey`) lasts while its execution is
    /// active: every path into a terminal state ends it (`finish_terminal`, the finish
    /// script), and so does the trim, for a lock that outlived its execution anyway. A lock
    /// that names another execution (taken after this one ended) is left alone.
    static let unlock = Piece(name: "unlock", source: #"""
local function unlock(id, ukey)
  if ukey and ukey ~= '' then
    local u = K.unique(ukey)
    if redis.call('GET', u) == id then redis.call('DEL', u) end
  end
end

"""#, needs: [])
}
