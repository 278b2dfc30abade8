# Generated from ui/lead_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView,
    QLabel, QPushButton, QSizePolicy, QSpacerItem,
    QTableView, QVBoxLayout, QWidget)

class Ui_LeadView(object):
    def setupUi(self, LeadView):
        if not LeadView.objectName():
            LeadView.setObjectName(u"LeadView")
        LeadView.resize(1200, 700)
        self.rootLayout = QVBoxLayout(LeadView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.message = QLabel(LeadView)
        self.message.setObjectName(u"message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        self.rootLayout.addWidget(self.message)

        self.refundsHeading = QLabel(LeadView)
        self.refundsHeading.setObjectName(u"refundsHeading")
        self.refundsHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.rootLayout.addWidget(self.refundsHeading)

        self.refundsTable = QTableView(LeadView)
        self.refundsTable.setObjectName(u"refundsTable")
        self.refundsTable.setTabKeyNavigation(False)
        self.refundsTable.setAlternatingRowColors(True)
        self.refundsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.refundsTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.rootLayout.addWidget(self.refundsTable)

        self.refundLines = QLabel(LeadView)
        self.refundLines.setObjectName(u"refundLines")
        self.refundLines.setTextFormat(Qt.TextFormat.PlainText)
        self.refundLines.setWordWrap(True)

        self.rootLayout.addWidget(self.refundLines)

        self.refundButtons = QHBoxLayout()
        self.refundButtons.setObjectName(u"refundButtons")
        self.approveButton = QPushButton(LeadView)
        self.approveButton.setObjectName(u"approveButton")

        self.refundButtons.addWidget(self.approveButton)

        self.rejectButton = QPushButton(LeadView)
        self.rejectButton.setObjectName(u"rejectButton")

        self.refundButtons.addWidget(self.rejectButton)

        self.refundButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.refundButtons.addItem(self.refundButtonsSpacer)


        self.rootLayout.addLayout(self.refundButtons)

        self.syncHeading = QLabel(LeadView)
        self.syncHeading.setObjectName(u"syncHeading")
        self.syncHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.rootLayout.addWidget(self.syncHeading)

        self.syncState = QLabel(LeadView)
        self.syncState.setObjectName(u"syncState")
        self.syncState.setTextFormat(Qt.TextFormat.PlainText)
        self.syncState.setWordWrap(True)

        self.rootLayout.addWidget(self.syncState)

        self.eventsTable = QTableView(LeadView)
        self.eventsTable.setObjectName(u"eventsTable")
        self.eventsTable.setTabKeyNavigation(False)
        self.eventsTable.setAlternatingRowColors(True)
        self.eventsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.eventsTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.rootLayout.addWidget(self.eventsTable)

        self.eventButtons = QHBoxLayout()
        self.eventButtons.setObjectName(u"eventButtons")
        self.retryButton = QPushButton(LeadView)
        self.retryButton.setObjectName(u"retryButton")

        self.eventButtons.addWidget(self.retryButton)

        self.resendButton = QPushButton(LeadView)
        self.resendButton.setObjectName(u"resendButton")

        self.eventButtons.addWidget(self.resendButton)

        self.resolveButton = QPushButton(LeadView)
        self.resolveButton.setObjectName(u"resolveButton")

        self.eventButtons.addWidget(self.resolveButton)

        self.refreshButton = QPushButton(LeadView)
        self.refreshButton.setObjectName(u"refreshButton")

        self.eventButtons.addWidget(self.refreshButton)

        self.eventButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.eventButtons.addItem(self.eventButtonsSpacer)


        self.rootLayout.addLayout(self.eventButtons)

        self.badgesHeading = QLabel(LeadView)
        self.badgesHeading.setObjectName(u"badgesHeading")
        self.badgesHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.rootLayout.addWidget(self.badgesHeading)

        self.badgeButtons = QHBoxLayout()
        self.badgeButtons.setObjectName(u"badgeButtons")
        self.unlockButton = QPushButton(LeadView)
        self.unlockButton.setObjectName(u"unlockButton")

        self.badgeButtons.addWidget(self.unlockButton)

        self.badgeButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.badgeButtons.addItem(self.badgeButtonsSpacer)


        self.rootLayout.addLayout(self.badgeButtons)

        self.rootLayout.setStretch(2, 3)
        self.rootLayout.setStretch(7, 2)
        self.refundsHeading.setBuddy(self.refundsTable)
        self.syncHeading.setBuddy(self.eventsTable)
        QWidget.setTabOrder(self.refundsTable, self.approveButton)
        QWidget.setTabOrder(self.approveButton, self.rejectButton)
        QWidget.setTabOrder(self.rejectButton, self.eventsTable)
        QWidget.setTabOrder(self.eventsTable, self.retryButton)
        QWidget.setTabOrder(self.retryButton, self.resendButton)
        QWidget.setTabOrder(self.resendButton, self.resolveButton)
        QWidget.setTabOrder(self.resolveButton, self.refreshButton)
        QWidget.setTabOrder(self.refreshButton, self.unlockButton)

        self.retranslateUi(LeadView)

        QMetaObject.connectSlotsByName(LeadView)
    # setupUi

    def retranslateUi(self, LeadView):
        self.message.setText("")
        self.message.setAccessibleName(QCoreApplication.translate("LeadView", u"Shift lead message", None))
        self.refundsHeading.setText(QCoreApplication.translate("LeadView", u"Refunds waiting for approval", None))
        self.refundsTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Refunds waiting for approval", None))
        self.refundLines.setText("")
        self.approveButton.setText(QCoreApplication.translate("LeadView", u"Approve (A)", None))
        self.rejectButton.setText(QCoreApplication.translate("LeadView", u"Reject (R)", None))
        self.syncHeading.setText(QCoreApplication.translate("LeadView", u"Order system", None))
        self.syncState.setText(QCoreApplication.translate("LeadView", u"Checking\u2026", None))
        self.syncState.setAccessibleName(QCoreApplication.translate("LeadView", u"Order system state", None))
        self.eventsTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Order system events that need a person", None))
        self.retryButton.setText(QCoreApplication.translate("LeadView", u"Retry (T)", None))
        self.resendButton.setText(QCoreApplication.translate("LeadView", u"Resend, new key (N)", None))
        self.resendButton.setToolTip(QCoreApplication.translate("LeadView", u"Only when the shop says the event's key applied nothing: after a refusal was fixed in the shop", None))
        self.resolveButton.setText(QCoreApplication.translate("LeadView", u"Mark resolved (M)", None))
        self.refreshButton.setText(QCoreApplication.translate("LeadView", u"Refresh (F5)", None))
        self.badgesHeading.setText(QCoreApplication.translate("LeadView", u"Badges", None))
        self.unlockButton.setText(QCoreApplication.translate("LeadView", u"Unlock a badge (U)", None))
        pass
    # retranslateUi
