namespace GpuNet.Reports;

/// <summary>The pieces every report page shares: escaping, inline images, and the style sheet.</summary>
public static class Html
{
    /// <summary>
    /// Escapes the five characters that HTML and XML give meaning to, and nothing else: the page is
    /// UTF-8, so "5→6" and "256×n" stay readable in the source (WebUtility.HtmlEncode would
    /// turn × into &amp;#215;).
    /// </summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'",
            "&#39;");

    /// <summary>A PNG as an &lt;img&gt; whose source is the file itself (a data URI), so the page needs no other
    /// file.</summary>
    public static string InlinePng(byte[] png, string alt, int displayWidth, string cssClass = "pixels") =>
        $"<img class=\"{cssClass}\" width=\"{displayWidth}\" alt=\"{Escape(alt)}\" " +
        $"src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    /// <summary>The page head: title, and a style sheet kept inline so the file opens offline as it is.</summary>
    public static string PageStart(string title) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>{{Escape(title)}}</title>
        <style>
        {{BodyRule}}
        h1 { font-size: 24px; margin-bottom: 4px; }
        h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
        {{SectionRule}}
        .figures { display: flex; flex-wrap: wrap; gap: 16px; }
        .figures > table { align-self: flex-start; margin-top: 36px; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
        th { background: #f2f2f2; }
        td.text, th.text { text-align: left; }
        pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
        img.pixels { image-rendering: pixelated; border: 1px solid #ccc; }
        .digits { display: grid; grid-template-columns: repeat(10, 112px); gap: 8px; }
        .digits figure { margin: 0; text-align: center; font-size: 12px; }
        .digits figcaption b { font-size: 14px; }
        .muted { color: #666; }
        td.cm { min-width: 36px; }
        </style>
        </head>
        <body>

        """;

    // The style sheet's two longest rules, each one line of the page, split here to keep to 120 columns.
    private const string BodyRule =
        "body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1320px; padding: 0 16px; " +
        "color: #1d1d1f; background: #fafafa; }";

    private const string SectionRule =
        "section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px 16px 16px; " +
        "margin-top: 16px; }";

    public const string PageEnd = "</body>\n</html>\n";
}
