using System.Collections;
using System.Text;

namespace ConferenceCluster.Sip.Headers;

/// <summary>One <c>name[=value]</c> parameter; a null value means the parameter had no "=" part.</summary>
public readonly record struct SipParameter(string Name, string? Value);

/// <summary>
/// An ordered list of parameters (URI parameters, header parameters). Names compare
/// case-insensitively (RFC 3261 7.3.1, 19.1.4). Lists are short, so a list beats a dictionary.
/// </summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    // Most URIs and headers carry no or few parameters: the list is only made when one is added.
    private List<SipParameter>? _list;

    private List<SipParameter> Items => _list ??= new List<SipParameter>(4);

    public int Count => _list?.Count ?? 0;

    public SipParameter this[int index] => Items[index];

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter called <paramref name="name"/>; null if absent or valueless.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i >= 0 ? _list![i].Value : null;
    }

    public bool TryGet(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i >= 0 ? _list![i].Value : null;
        return i >= 0;
    }

    public void Add(string name, string? value = null) => Items.Add(new SipParameter(name, value));

    /// <summary>Replaces the first parameter with this name, or appends it.</summary>
    public void Set(string name, string? value = null)
    {
        var i = IndexOf(name);
        if (i >= 0) Items[i] = new SipParameter(Items[i].Name, value);
        else Items.Add(new SipParameter(name, value));
    }

    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0) return false;
        Items.RemoveAt(i);
        return true;
    }

    public int IndexOf(string name)
    {
        if (_list is null) return -1;
        for (var i = 0; i < _list.Count; i++)
        {
            if (string.Equals(_list[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    /// <summary>Writes ";name=value" for each parameter, as header parameters are written (values verbatim).</summary>
    internal void AppendTo(StringBuilder sb)
    {
        if (_list is null) return;
        foreach (var p in _list)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is not null) sb.Append('=').Append(p.Value);
        }
    }

    public IEnumerator<SipParameter> GetEnumerator() =>
        _list is null ? Enumerable.Empty<SipParameter>().GetEnumerator() : _list.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
