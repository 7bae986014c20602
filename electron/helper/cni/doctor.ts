// Doctor's CNI lines: each plugin the lab and the Docker comparison use, where it is, and the spec
// versions it speaks (its own answer to CNI_COMMAND=VERSION).
import type { DoctorCheck } from '../../shared/contract/index.js';
import { CORE_PLUGINS, DEFAULT_PLUGIN_DIRS, findPlugin, INSTALL_HINT, pluginInfo } from './plugins.js';

export async function cniDoctorChecks(): Promise<DoctorCheck[]> {
  const infos = await Promise.all(CORE_PLUGINS.map((p) => pluginInfo(p, findPlugin(p, DEFAULT_PLUGIN_DIRS))));
  return infos.map((info): DoctorCheck => {
    const base = { id: `cni.${info.plugin}`, title: `CNI plugin ${info.plugin}`, essential: false };
    if (info.path === null) {
      return { ...base, status: 'warn', detail: `not installed (looked in ${DEFAULT_PLUGIN_DIRS.join(', ')})`, reason: 'the cni-plugins lab and `nslab cni` run the real plugins', fix: INSTALL_HINT };
    }
    if (!info.supportedVersions.includes('1.0.0')) {
      return { ...base, status: 'warn', detail: `${info.path}: CNI versions ${info.supportedVersions.join(', ') || 'none reported'}`, reason: 'nslab speaks CNI 1.0.0; this plugin does not', fix: INSTALL_HINT };
    }
    return { ...base, status: 'ok', detail: `${info.path}; CNI versions ${info.supportedVersions.join(', ')}${info.about ? `; ${info.about}` : ''}` };
  });
}
