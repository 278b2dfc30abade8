; Inno Setup script for the returnsdesk station (Windows x64).
;
; Build the PyInstaller one-folder first (see README.md beside this file), then, from the
; repository folder:
;     iscc /DAppVersion=0.1.0 packaging\windows\returnsdesk.iss
; The installer lands in dist\returnsdesk-<version>-setup.exe. It installs per machine into
; Program Files, adds Start-menu shortcuts, and puts the example settings file in
; %PROGRAMDATA%\returnsdesk\ (where IT's config.toml goes; never overwritten).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "returnsdesk"
#define BuildDir "..\..\build\dist\returnsdesk"

[Setup]
; A fixed AppId: upgrades replace the installed version instead of adding a second one.
AppId={{6E0F5B8A-2C1D-4E53-9A47-5D3C1B2E7F10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=returnsdesk maintainers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\returnsdesk.exe
; A running station holds its files open: ask to close it before upgrading.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Dirs]
; Settings for every user of the machine; users may read, only administrators write.
Name: "{commonappdata}\returnsdesk"

[Files]
; The whole one-folder build: returnsdesk.exe (the station), returnsdesk-cli.exe (self-test,
; diagnostics) and _internal\. Old files are removed first, so that an upgrade never mixes
; libraries of two builds.
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\config.toml.example"; DestDir: "{commonappdata}\returnsdesk"; Flags: ignoreversion

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\returnsdesk"; Filename: "{app}\returnsdesk.exe"
Name: "{group}\returnsdesk self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\returnsdesk-cli.exe"" --self-test"
Name: "{group}\returnsdesk diagnostics"; Filename: "{cmd}"; Parameters: "/k ""{app}\returnsdesk-cli.exe"" diagnostics"
Name: "{autodesktop}\returnsdesk"; Filename: "{app}\returnsdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\returnsdesk.exe"; Description: "{cm:LaunchProgram,returnsdesk}"; Flags: nowait postinstall skipifsilent
