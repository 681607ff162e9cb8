import Glibc

/// A slot holding one object per thread (a pthread key): each thread reads back
/// only what it stored itself, and a thread's object is released when it ends.
///
/// Stands in for Foundation's `Thread.current.threadDictionary`. Keys are a
/// scarce resource (PTHREAD_KEYS_MAX, 1024): make these static and long-lived.
public final class ThreadLocal<Value: AnyObject>: Sendable {
    private let key: pthread_key_t

    public init() {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        precondition(rc == 0, "pthread_key_create failed with error \(rc): too many thread-local slots")
        self.key = key
    }

    /// The calling thread's object, nil until it stores one.
    public var value: Value? {
        get {
            guard let raw = pthread_getspecific(key) else { return nil }
            return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue()
        }
        set {
            let old = pthread_getspecific(key)
            let new = newValue.map { Unmanaged.passRetained($0).toOpaque() }
            pthread_setspecific(key, new)
            if let old { Unmanaged<AnyObject>.fromOpaque(old).release() }
        }
    }
}
