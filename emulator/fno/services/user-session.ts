/**
 * UserSessionService/AifUserSessionService: the standard session service clients call to check a connection and
 * learn the caller's default company, language and time zone.
 */
import type { ServiceGroup } from './types';

export const userSessionService: ServiceGroup = {
  name: 'UserSessionService',
  services: [
    {
      name: 'AifUserSessionService',
      operations: [
        {
          name: 'GetUserSessionInfo',
          parameters: [],
          returns: 'AifUserSessionInfo',
          run: (service, _args, caller) => ({
            $id: '1',
            AOSLocaleName: 'en-US',
            AXLanguage: 'EN-US',
            Company: service.defaultCompany.toUpperCase(),
            CompanyTimeZone: 58,
            CurrencyInfo: { $id: '2', CurrencyCode: 'USD', Description: 'US Dollar', ExchangeRate: 100, ISOCurrencyCode: 'USD', Prefix: '', Suffix: '' },
            IsSysAdmin: true,
            UserId: 'Admin',
            UserObjectId: caller.userId,
            UserPreferredCalendarType: 0,
            UserPreferredTimeZone: 18,
          }),
        },
        {
          name: 'GetAccessRights',
          parameters: [{ Name: 'menuItemNames', Type: 'str[]' }],
          returns: 'AifUserSessionAccessRights[]',
          run: (_service, args) => {
            const names = args.menuItemNames;
            if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
              throw new Error("The parameter 'menuItemNames' must be an array of menu item names.");
            }
            return names.map((name) => ({ MenuItemName: name, AccessRight: 'Delete' }));
          },
        },
      ],
    },
  ],
};
