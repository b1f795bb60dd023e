using System.Text;

namespace ConferenceCluster.Sip.Messages;

/// <summary>Method names (RFC 3261 7.1 and extensions). Methods are case-sensitive.</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Update = "UPDATE";
    public const string Prack = "PRACK";
    public const string Subscribe = "SUBSCRIBE";
    public const string Notify = "NOTIFY";
    public const string Refer = "REFER";
    public const string Message = "MESSAGE";
    public const string Publish = "PUBLISH";

    private static readonly string[] Known =
        [Invite, Ack, Bye, Cancel, Options, Register, Info, Update, Prack, Subscribe, Notify, Refer, Message, Publish];

    /// <summary>Returns the shared string for a known method so parsing allocates nothing for it.</summary>
    public static string Intern(ReadOnlySpan<char> method)
    {
        foreach (var m in Known)
        {
            if (method.SequenceEqual(m)) return m;
        }
        return method.ToString();
    }

    internal static string Intern(ReadOnlySpan<byte> method)
    {
        foreach (var m in Known)
        {
            if (method.Length == m.Length && Ascii.Equals(method, m)) return m;
        }
        return Encoding.ASCII.GetString(method);
    }
}
