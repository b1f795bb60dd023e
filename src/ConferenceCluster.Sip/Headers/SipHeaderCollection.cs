using System.Collections;

namespace ConferenceCluster.Sip.Headers;

/// <summary>One header field value. <see cref="Name"/> is canonical for known headers (compact forms expanded).</summary>
public readonly record struct SipHeaderField(string Name, string Value);

/// <summary>
/// The header fields of a message in arrival order. List headers arrive split into one field per
/// value (RFC 3261 7.3.1), so "Via: a, b" and two Via lines look the same. Lookups are
/// case-insensitive and accept compact forms. <see cref="Version"/> changes on every edit so
/// typed views can cache their parse.
/// </summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeaderField>
{
    private readonly List<SipHeaderField> _fields;

    public SipHeaderCollection() => _fields = new List<SipHeaderField>(16);

    public SipHeaderCollection(IEnumerable<SipHeaderField> fields) => _fields = new List<SipHeaderField>(fields);

    public int Count => _fields.Count;

    /// <summary>Incremented by every change.</summary>
    public int Version { get; private set; }

    public SipHeaderField this[int index] => _fields[index];

    /// <summary>Appends a field; the name is canonicalized (compact form "v" becomes "Via").</summary>
    public void Add(string name, string value)
    {
        _fields.Add(new SipHeaderField(SipHeaderNames.Canonicalize(name), value));
        Version++;
    }

    /// <summary>Adds the field before all others of the same name (a proxy pushing its Via, RFC 3261 16.6).</summary>
    public void AddFirst(string name, string value)
    {
        name = SipHeaderNames.Canonicalize(name);
        var i = IndexOf(name);
        _fields.Insert(i >= 0 ? i : _fields.Count, new SipHeaderField(name, value));
        Version++;
    }

    internal void AddCanonical(string canonicalName, string value)
    {
        _fields.Add(new SipHeaderField(canonicalName, value));
        Version++;
    }

    /// <summary>Removes every field called <paramref name="name"/> and appends one with <paramref name="value"/>.</summary>
    public void Set(string name, string value)
    {
        name = SipHeaderNames.Canonicalize(name);
        var i = IndexOf(name);
        if (i < 0)
        {
            AddCanonical(name, value);
            return;
        }
        _fields[i] = new SipHeaderField(name, value);
        for (var j = _fields.Count - 1; j > i; j--)
        {
            if (Matches(_fields[j].Name, name)) _fields.RemoveAt(j);
        }
        Version++;
    }

    /// <summary>Replaces the value of the first field called <paramref name="name"/> (or appends one), keeping its position.</summary>
    public void SetFirst(string name, string value)
    {
        name = SipHeaderNames.Canonicalize(name);
        var i = IndexOf(name);
        if (i < 0)
        {
            AddCanonical(name, value);
            return;
        }
        _fields[i] = new SipHeaderField(name, value);
        Version++;
    }

    /// <summary>Removes every field called <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        var removed = _fields.RemoveAll(f => Matches(f.Name, name));
        if (removed > 0) Version++;
        return removed;
    }

    /// <summary>Removes the first field called <paramref name="name"/> (a proxy popping a Route, RFC 3261 16.4).</summary>
    public bool RemoveFirst(string name)
    {
        var i = IndexOf(SipHeaderNames.Canonicalize(name));
        if (i < 0) return false;
        _fields.RemoveAt(i);
        Version++;
        return true;
    }

    public bool Contains(string name) => IndexOf(SipHeaderNames.Canonicalize(name)) >= 0;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? GetFirst(string name)
    {
        var i = IndexOf(SipHeaderNames.Canonicalize(name));
        return i >= 0 ? _fields[i].Value : null;
    }

    /// <summary>All values of <paramref name="name"/> in order.</summary>
    public List<string> GetAll(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        var list = new List<string>();
        foreach (var f in _fields)
        {
            if (Matches(f.Name, name)) list.Add(f.Value);
        }
        return list;
    }

    public int CountOf(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        var n = 0;
        foreach (var f in _fields)
        {
            if (Matches(f.Name, name)) n++;
        }
        return n;
    }

    /// <summary>Copies every field called <paramref name="name"/> into <paramref name="target"/>, in order.</summary>
    public void CopyTo(SipHeaderCollection target, string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        foreach (var f in _fields)
        {
            if (Matches(f.Name, name)) target.AddCanonical(f.Name, f.Value);
        }
    }

    internal int IndexOf(string canonicalName)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (Matches(_fields[i].Name, canonicalName)) return i;
        }
        return -1;
    }

    // Known names are interned constants, so the reference check settles almost every comparison.
    private static bool Matches(string fieldName, string canonicalName) =>
        ReferenceEquals(fieldName, canonicalName) || string.Equals(fieldName, canonicalName, StringComparison.OrdinalIgnoreCase);

    public List<SipHeaderField>.Enumerator GetEnumerator() => _fields.GetEnumerator();

    IEnumerator<SipHeaderField> IEnumerable<SipHeaderField>.GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();
}
