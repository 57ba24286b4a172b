namespace GpuNet.Data;

/// <summary>
/// One source (a mirror, the npm package) could not deliver. It never reaches the user on its
/// own: the downloader collects these reasons and, only when every source has failed, reports
/// them together in one <see cref="GpuNetException"/>.
/// </summary>
internal sealed class DownloadSourceException(string reason, Exception? inner = null) : Exception(reason, inner);
