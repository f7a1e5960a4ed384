/* dotnet/Fsp/AssemblyInfo.cs - the identity of the Fsp assembly (linfsp-net.dll). */
using System.Reflection;

[assembly: AssemblyTitle("linfsp-net")]
[assembly: AssemblyDescription("LinFsp's .NET layer: WinFsp's Fsp API over liblinfsp.so.0")]
[assembly: AssemblyProduct("LinFsp")]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("test-dotnet")]
