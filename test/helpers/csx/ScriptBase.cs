// The types Power Automate gives custom code (script.csx), as documented for local compilation
// (learn.microsoft.com/connectors/custom-connectors/write-code): ScriptBase and IScriptContext in the global
// namespace, ILogger from Microsoft.Extensions.Logging. OriginalRequestUri is not in that listing but certified
// connectors' scripts use it: the URL the connector itself was called with.
using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

public abstract class ScriptBase
{
    public IScriptContext Context { get; internal set; }

    public CancellationToken CancellationToken { get; internal set; }

    public static StringContent CreateJsonContent(string serializedJson)
    {
        return new StringContent(serializedJson, Encoding.UTF8, "application/json");
    }

    public abstract Task<HttpResponseMessage> ExecuteAsync();
}

public interface IScriptContext
{
    string CorrelationId { get; }

    string OperationId { get; }

    HttpRequestMessage Request { get; }

    ILogger Logger { get; }

    Uri OriginalRequestUri { get; }

    Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}
